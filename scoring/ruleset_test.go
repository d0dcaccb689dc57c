package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

func TestEmbeddedRuleSets(t *testing.T) {
	if got, want := IDs(), []string{"bkn-2024", "perban-8-2019"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("IDs() = %v, want %v", got, want)
	}
	perban, bkn := MustLoad(t, RuleSetPerban2019), MustLoad(t, RuleSetBKN2024)
	if perban.Provisional || !bkn.Provisional {
		t.Errorf("provisional: perban %v, bkn-2024 %v; want false, true", perban.Provisional, bkn.Provisional)
	}
	if d := Default(); d.ID != RuleSetPerban2019 {
		t.Errorf("Default().ID = %q", d.ID)
	}
	if Default() == Default() {
		t.Error("Default returns a shared pointer; want a fresh copy")
	}
	if !perban.Measures("PNS") || perban.Measures("PPPK") || !bkn.Measures("PPPK") {
		t.Error("statuses: perban-8-2019 measures PNS only, bkn-2024 PNS and PPPK")
	}
	for _, rs := range []*RuleSet{perban, bkn} {
		if rs.AnnualJPDuty["PNS"] != 20 || rs.Kompetensi.TechnicalJP != 20 {
			t.Errorf("%s: JP duty %d, technical JP %d; want 20, 20", rs.ID, rs.AnnualJPDuty["PNS"], rs.Kompetensi.TechnicalJP)
		}
	}
}

func TestLoadUnknown(t *testing.T) {
	for _, id := range []string{"", "nope", "../rulesets/perban-8-2019", "PERBAN-8-2019"} {
		_, err := Load(id)
		if e := apperr.As(err); err == nil || e.Code != apperr.CodeNotFound {
			t.Errorf("Load(%q) = %v, want not found", id, err)
		}
	}
}

// TestParseRoundTrip checks that every field has a JSON tag: a loaded rule set written back
// parses to the same value.
func TestParseRoundTrip(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		b, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		again := MustParse(t, b)
		if !reflect.DeepEqual(rs, again) {
			t.Errorf("%s: round trip differs", id)
		}
	}
}

// TestKindIndicatorTable checks every row of the rules document's kind table (§3), in both
// rule sets, and that every code of internal/domain is mapped.
func TestKindIndicatorTable(t *testing.T) {
	want := map[string]Indicator{
		"kepemimpinan": "a", "fungsional": "b", "teknis": "c", "workshop": "d", "manajerial": "c",
		"sosial_kultural": "c", "sosialisasi": "d", "bimtek": "c", "seminar": "d", "magang": "d",
		"kursus": "d", "penataran": "c", "klasikal_lain": "c", "coaching": "d", "mentoring": "d",
		"e_learning": "c", "jarak_jauh": "c", "detasering": "d", "alam_terbuka": "d",
		"patok_banding": "d", "pertukaran": "d", "belajar_mandiri": "d", "komunitas_belajar": "d",
		"bimbingan_kerja": "d", "nonklasikal_lain": "d",
	}
	if len(want) != 25 || len(domain.DevelopmentKinds) != 25 {
		t.Fatalf("kind table has %d rows, domain %d; want 25", len(want), len(domain.DevelopmentKinds))
	}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, k := range domain.DevelopmentKinds {
			t.Run(id+"/"+k.Code, func(t *testing.T) {
				if got := rs.Kompetensi.Kinds[k.Code]; got != want[k.Code] {
					t.Errorf("kind %s → %q, want %q", k.Code, got, want[k.Code])
				}
			})
		}
	}
}

func TestLeadershipTable(t *testing.T) {
	wantRank := map[string]int{"I.a": 1, "I.b": 1, "II.a": 2, "II.b": 2, "III.a": 3, "III.b": 3, "IV.a": 4, "IV.b": 4, "V.a": 4}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		if !reflect.DeepEqual(rs.Kompetensi.Leadership.RequiredRank, wantRank) {
			t.Errorf("%s: required ranks %v, want %v", id, rs.Kompetensi.Leadership.RequiredRank, wantRank)
		}
		if !rs.Kompetensi.Leadership.OrHigher {
			t.Errorf("%s: or_higher false, want true", id)
		}
		for _, l := range domain.LeadershipLevels {
			if got := rs.levelRank[l.Code]; got != l.Rank {
				t.Errorf("%s: level %s rank %d, want %d (domain)", id, l.Code, got, l.Rank)
			}
		}
	}
}

// parseErr edits the default rule set's JSON and returns Parse's error.
func parseErr(t *testing.T, edit func(m map[string]any)) error {
	t.Helper()
	b, _ := embedded.ReadFile("rulesets/perban-8-2019.json")
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := json.Marshal(m)
	_, err := Parse(out)
	return err
}

func TestParseValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		field string // the field the error must name
	}{
		{"unknown top-level key", func(m map[string]any) { m["bonus"] = 1 }, "bonus"},
		{"unknown nested key", func(m map[string]any) { obj(m, "kinerja")["skp_year"] = -1 }, "skp_year"},
		{"unknown key in a band", func(m map[string]any) {
			obj(m, "kinerja")["bands"].([]any)[0].(map[string]any)["below"] = 1
		}, "below"},
		{"missing id", func(m map[string]any) { delete(m, "id") }, "id"},
		{"bad id", func(m map[string]any) { m["id"] = "Perban 2019" }, "id"},
		{"missing version", func(m map[string]any) { m["version"] = "" }, "version"},
		{"unknown status", func(m map[string]any) { m["statuses"] = []any{"PNS", "honorer"} }, "statuses[1]"},
		{"wrong type", func(m map[string]any) { obj(m, "kualifikasi")["max"] = "25" }, "kualifikasi.max"},
		{"maxima do not add to 100", func(m map[string]any) { obj(m, "disiplin")["max"] = 6 }, "max"},
		{"missing education code", func(m map[string]any) { delete(obj(m, "kualifikasi.points"), "42") }, "kualifikasi.points.42"},
		{"unknown education code", func(m map[string]any) { obj(m, "kualifikasi.points")["41"] = 15 }, "kualifikasi.points.41"},
		{"education points above max", func(m map[string]any) { obj(m, "kualifikasi.points")["50"] = 30 }, "kualifikasi.points.50"},
		{"negative points", func(m map[string]any) { obj(m, "kualifikasi.points")["05"] = -1 }, "kualifikasi.points.05"},
		{"three decimals", func(m map[string]any) { obj(m, "kualifikasi.points")["05"] = 1.005 }, "kualifikasi.points.05"},
		{"missing kind mapping", func(m map[string]any) { delete(obj(m, "kompetensi.kinds"), "teknis") }, "kompetensi.kinds.teknis"},
		{"unknown kind", func(m map[string]any) { obj(m, "kompetensi.kinds")["webinar"] = "d" }, "kompetensi.kinds.webinar"},
		{"unknown indicator", func(m map[string]any) { obj(m, "kompetensi.kinds")["seminar"] = "e" }, "kompetensi.kinds.seminar"},
		{"indicator above max", func(m map[string]any) { obj(m, "kompetensi.indicators.pelaksana")["c"] = 41 }, "kompetensi.indicators.pelaksana.c"},
		{"indicators above max together", func(m map[string]any) { obj(m, "kompetensi.indicators.pelaksana")["c"] = 25 }, "kompetensi.indicators.pelaksana"},
		{"unknown indicator key", func(m map[string]any) { obj(m, "kompetensi.indicators.pelaksana")["x"] = 1 }, "kompetensi.indicators.pelaksana.x"},
		{"missing position kind", func(m map[string]any) { delete(obj(m, "kompetensi.indicators"), "pelaksana") }, "kompetensi.indicators.pelaksana"},
		{"unknown position kind", func(m map[string]any) { obj(m, "kompetensi.indicators")["honorer"] = map[string]any{"c": 1} }, "kompetensi.indicators.honorer"},
		{"technical JP zero", func(m map[string]any) { obj(m, "kompetensi")["technical_jp"] = 0 }, "kompetensi.technical_jp"},
		{"window from after to", func(m map[string]any) { obj(m, "kompetensi.windows.d")["from"] = 1 }, "kompetensi.windows.d.from"},
		{"window in the future", func(m map[string]any) { obj(m, "kompetensi.windows.c")["to"] = 1 }, "kompetensi.windows.c.to"},
		{"window c without from", func(m map[string]any) { obj(m, "kompetensi.windows.c")["from"] = nil }, "kompetensi.windows.c.from"},
		{"window without to", func(m map[string]any) { delete(obj(m, "kompetensi.windows.a"), "to") }, "kompetensi.windows.a.to"},
		{"leadership level unmapped", func(m map[string]any) {
			l := obj(m, "kompetensi.leadership")["levels"].([]any)[3].(map[string]any)
			l["codes"] = []any{"pkp"}
		}, "kompetensi.leadership.levels"},
		{"leadership level unknown", func(m map[string]any) {
			l := obj(m, "kompetensi.leadership")["levels"].([]any)[3].(map[string]any)
			l["codes"] = []any{"pkp", "pim4", "pim5"}
		}, "kompetensi.leadership.levels[3].codes[2]"},
		{"eselon unmapped", func(m map[string]any) { delete(obj(m, "kompetensi.leadership.required_rank"), "V.a") }, "kompetensi.leadership.required_rank.V.a"},
		{"eselon to unknown rank", func(m map[string]any) { obj(m, "kompetensi.leadership.required_rank")["V.a"] = 5 }, "kompetensi.leadership.required_rank.V.a"},
		{"duplicate JF exemption", func(m map[string]any) { obj(m, "kompetensi")["jf_exempt"] = []any{"Guru", "guru"} }, "kompetensi.jf_exempt[1]"},
		{"base for unknown predikat", func(m map[string]any) {
			obj(m, "kompetensi")["base_from_predikat"] = map[string]any{"sangat_baik": 25, "baik": 20, "butuh_perbaikan": 15, "kurang": 10, "sangat_kurang": 5, "istimewa": 30}
		}, "kompetensi.base_from_predikat.istimewa"},
		{"base missing predikat", func(m map[string]any) {
			obj(m, "kompetensi")["base_from_predikat"] = map[string]any{"sangat_baik": 25}
		}, "kompetensi.base_from_predikat.baik"},
		{"missing SKP year offset", func(m map[string]any) { delete(obj(m, "kinerja"), "skp_year_offset") }, "kinerja.skp_year_offset"},
		{"bands not ordered", func(m map[string]any) {
			obj(m, "kinerja")["bands"].([]any)[1].(map[string]any)["above"] = 95
		}, "kinerja.bands[1].above"},
		{"bands not covering", func(m map[string]any) {
			obj(m, "kinerja")["bands"].([]any)[4].(map[string]any)["above"] = 0
		}, "kinerja.bands[4].above"},
		{"band points rising", func(m map[string]any) {
			obj(m, "kinerja")["bands"].([]any)[4].(map[string]any)["points"] = 10
		}, "kinerja.bands[4].points"},
		{"band predikat unknown", func(m map[string]any) {
			obj(m, "kinerja")["bands"].([]any)[0].(map[string]any)["predikat"] = "istimewa"
		}, "kinerja.bands[0].predikat"},
		{"predikat points above max", func(m map[string]any) {
			obj(m, "kinerja")["predikat"].([]any)[0].(map[string]any)["points"] = 31
		}, "kinerja.predikat[0].points"},
		{"predikat alias clash", func(m map[string]any) {
			obj(m, "kinerja")["predikat"].([]any)[0].(map[string]any)["aliases"] = []any{"Baik"}
		}, "kinerja.predikat[1]"},
		{"disiplin level missing", func(m map[string]any) {
			d := obj(m, "disiplin")
			d["levels"] = d["levels"].([]any)[:2]
		}, "disiplin.levels"},
		{"heavier penalty more points", func(m map[string]any) {
			obj(m, "disiplin")["levels"].([]any)[2].(map[string]any)["points"] = 4
		}, "disiplin.levels[2].points"},
		{"penalty above none", func(m map[string]any) { obj(m, "disiplin")["none"] = 2 }, "disiplin.levels[0].points"},
		{"categories not ordered", func(m map[string]any) {
			m["categories"].([]any)[2].(map[string]any)["above"] = 85
		}, "categories[2].above"},
		{"categories not covering", func(m map[string]any) {
			m["categories"].([]any)[4].(map[string]any)["above"] = 0
		}, "categories[4].above"},
		{"unknown category", func(m map[string]any) {
			m["categories"].([]any)[0].(map[string]any)["code"] = "istimewa"
		}, "categories[0].code"},
		{"missing category", func(m map[string]any) { m["categories"] = m["categories"].([]any)[1:] }, "categories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseErr(t, tt.edit)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.CodeInvalid {
				t.Fatalf("error %v is not an invalid-input apperr", err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Errorf("error fields %v do not name %q (error: %v)", e.Fields, tt.field, err)
			}
			if !strings.Contains(e.Message, tt.field) {
				t.Errorf("message %q does not name %q", e.Message, tt.field)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	b, _ := embedded.ReadFile("rulesets/perban-8-2019.json")
	for name, in := range map[string][]byte{
		"empty":         nil,
		"syntax":        []byte("{\n\"id\": \"x\",\n}"),
		"trailing data": append(append([]byte{}, b...), []byte(` {}`)...),
		"array":         []byte(`[]`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(in)
			if e := apperr.As(err); err == nil || e.Code != apperr.CodeInvalid {
				t.Errorf("Parse = %v, want an invalid-input error", err)
			}
		})
	}
	_, err := Parse([]byte("{\n\"id\": \"x\",\n}"))
	if !strings.Contains(err.Error(), "baris 3") {
		t.Errorf("syntax error %q does not give the line", err)
	}
}

func TestCatalog(t *testing.T) {
	local := MustEdit(t, RuleSetPerban2019, func(m map[string]any) {
		m["id"] = "perban-8-2019-bontang"
		obj(m, "kompetensi")["jf_exempt"] = []any{"guru"}
	})
	c, err := NewCatalog("", local)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.IDs(); !slices.Equal(got, []string{"bkn-2024", "perban-8-2019", "perban-8-2019-bontang"}) {
		t.Errorf("IDs = %v", got)
	}
	if rs, _ := c.Get(""); rs.ID != RuleSetPerban2019 || c.Default().ID != RuleSetPerban2019 {
		t.Errorf("default = %s", rs.ID)
	}
	if rs, err := c.Get("perban-8-2019-bontang"); err != nil || len(rs.Kompetensi.JFExempt) != 1 {
		t.Errorf("Get(local) = %v, %v", rs, err)
	}
	if _, err := c.Get("nope"); apperr.As(err).Code != apperr.CodeNotFound {
		t.Errorf("Get(nope) = %v, want not found", err)
	}
	// An override may not reuse an embedded id.
	same := MustLoad(t, RuleSetPerban2019)
	if _, err := NewCatalog("", same); apperr.As(err).Code != apperr.CodeConflict {
		t.Errorf("NewCatalog with a reused id = %v, want conflict", err)
	}
	if _, err := NewCatalog("nope"); err == nil {
		t.Error("NewCatalog with an unknown default succeeded")
	}
	c2, err := NewCatalog(RuleSetBKN2024)
	if err != nil || c2.Default().ID != RuleSetBKN2024 {
		t.Errorf("NewCatalog(bkn-2024) default = %v, %v", c2, err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	b, _ := embedded.ReadFile("rulesets/bkn-2024.json")
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, bytes.Replace(b, []byte(`"id": "bkn-2024"`), []byte(`"id": "bkn-2024-lokal"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, bytes.Replace(b, []byte(`"teknis": "c",`), nil, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if rs, err := ReadFile(good); err != nil || rs.ID != "bkn-2024-lokal" {
		t.Errorf("ReadFile(good) = %v, %v", rs, err)
	}
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), "kompetensi.kinds.teknis") {
		t.Errorf("ReadFile(bad) = %v, want an error naming kompetensi.kinds.teknis", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadFile(missing) succeeded")
	}
}

func TestDimensionLabels(t *testing.T) {
	for d, want := range map[Dimension]string{Kualifikasi: "Kualifikasi", Kompetensi: "Kompetensi", Kinerja: "Kinerja", Disiplin: "Disiplin", "x": "x"} {
		if got := d.Label(); got != want {
			t.Errorf("%s.Label() = %q", d, got)
		}
	}
}

// Resolve: the default, an embedded id, or an administrator's file with an id of its own.
func TestResolveRuleSet(t *testing.T) {
	for spec, want := range map[string]string{"": RuleSetPerban2019, RuleSetPerban2019: RuleSetPerban2019, RuleSetBKN2024: RuleSetBKN2024} {
		rs, err := Resolve(spec)
		if err != nil || rs.ID != want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", spec, rs, err, want)
		}
	}
	dir := t.TempDir()
	write := func(name string, mutate func(*RuleSet)) string {
		rs := Default()
		mutate(rs)
		b, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	own := write("lokal.json", func(rs *RuleSet) { rs.ID, rs.Version = "perban-8-2019-lokal", "2026.1" })
	if rs, err := Resolve(own); err != nil || rs.ID != "perban-8-2019-lokal" || rs.Version != "2026.1" {
		t.Errorf("Resolve(own file) = %v, %v", rs, err)
	}
	same := write("sama.json", func(rs *RuleSet) { rs.Version = "2026.1" })
	if _, err := Resolve(same); err == nil || !strings.Contains(err.Error(), "id baru") {
		t.Errorf("a file reusing the embedded id: %v, want a refusal asking for a new id", err)
	}
	bad := write("salah.json", func(rs *RuleSet) { rs.ID = "lokal"; rs.Kualifikasi.Max = 99 })
	if _, err := Resolve(bad); err == nil || !strings.Contains(err.Error(), "salah.json") {
		t.Errorf("an invalid file: %v", err)
	}
	if _, err := Resolve(filepath.Join(dir, "tidak-ada.json")); err == nil {
		t.Error("a missing file resolved")
	}
}
