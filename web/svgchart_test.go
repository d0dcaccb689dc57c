package web

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// wellFormed parses s as XML (the SVG must be well-formed on its own, whatever the HTML
// around it forgives) and returns the elements' names in document order.
func wellFormed(t *testing.T, s string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var names []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, se.Name.Local)
		}
	}
}

func TestHBars(t *testing.T) {
	target := 75.0
	items := []barItem{
		{Key: "kualifikasi", Label: "Kualifikasi", Value: 12.13, Max: 25, Text: "12,13 dari 25", ValueID: "dim-kualifikasi", DataValue: "12.13"},
		{Key: "x\" onload=\"alert(1)", Label: "<script>alert(1)</script> & co", Value: 30, Max: 0, Text: "a<b"},
		{Key: "ip", Label: "IP", Value: 140, Max: 100, Marker: &target, Text: "140"},
	}
	got := string(hBars("dimensi", "Empat dimensi", items))
	wellFormed(t, got)
	for _, want := range []string{
		`<figure class="hbars" id="dimensi"><figcaption>Empat dimensi</figcaption><ul>`,
		`<li class="hbar bar-kualifikasi"><span class="hbar-label">Kualifikasi</span>`,
		`<rect class="fill" x="0" y="0" width="48.52" height="10"/>`, // 12.13 / 25
		`<span class="hbar-value" id="dim-kualifikasi" data-value="12.13">12,13 dari 25</span>`,
		`&lt;script&gt;alert(1)&lt;/script&gt; &amp; co`,
		`a&lt;b`,
		`class="hbar bar-xonloadalert1"`,
		`<rect class="fill" x="0" y="0" width="100" height="10"/>`, // clamped at 100 %
		`<line class="marker" x1="75" y1="0" x2="75" y2="10"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("hBars output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<script>") || strings.Contains(got, `onload="`) {
		t.Errorf("hBars lets markup through:\n%s", got)
	}
	// A zero maximum draws no fill (and no division by zero).
	if n := strings.Count(got, `class="fill"`); n != 2 {
		t.Errorf("%d fills, want 2 (none for the bar with max 0)", n)
	}
	if again := string(hBars("dimensi", "Empat dimensi", items)); again != got {
		t.Error("hBars is not deterministic")
	}
}

func TestMiniBar(t *testing.T) {
	for _, c := range []struct {
		value, full float64
		want        string
	}{
		{71.58, 100, `width="71.58"`},
		{1, 3, `width="33.33"`},
		{-5, 100, `<rect class="track" x="0" y="0" width="100" height="10"/></svg>`}, // nothing below zero
		{5, 0, `<rect class="track" x="0" y="0" width="100" height="10"/></svg>`},
	} {
		got := string(miniBar(c.value, c.full))
		wellFormed(t, got)
		if !strings.Contains(got, c.want) || !strings.Contains(got, `aria-hidden="true"`) {
			t.Errorf("miniBar(%v, %v) = %s, want it to contain %s", c.value, c.full, got, c.want)
		}
	}
}

func TestTrendChart(t *testing.T) {
	t75, t80 := 75.0, 80.0
	items := []trendItem{
		{Year: 2024, Value: 68.5, Has: true, Category: "rendah", Target: &t75},
		{Year: 2025, Value: 71.58, Has: true, Category: "sedang", Target: &t80},
		{Year: 2026}, // nothing measured, no target
	}
	got := string(trendChart("tren", "Tren <IP>", `Kolom & "garis"`, items))
	names := wellFormed(t, got)
	if names[0] != "svg" || names[1] != "title" || names[2] != "desc" {
		t.Errorf("the chart should open with svg, title, desc; got %v", names[:3])
	}
	for _, want := range []string{
		`<svg class="trend-chart" id="tren" role="img" aria-labelledby="tren-judul tren-ket" width="244" height="230" viewBox="0 0 244 230">`,
		`<title id="tren-judul">Tren &lt;IP&gt;</title><desc id="tren-ket">Kolom &amp; &#34;garis&#34;</desc>`,
		// 68.5 on a 180-unit plot from y=22: top at 22 + 180 - 123.3 = 78.7.
		`<rect class="col bar-rendah" x="55" y="78.7" width="34" height="123.3"/>`,
		`<text class="val" x="72" y="72.7" text-anchor="middle">68,50</text>`,
		`<text class="val" x="136" y=`, `>71,58</text>`,
		`<text class="val none" x="200" y="196" text-anchor="middle">–</text>`,
		`<text class="year" x="200" y="220" text-anchor="middle">2026</text>`,
		// Targets 75 (y = 67) and 80 (y = 58), joined across the two years.
		`<path class="target" d="M49 67 L95 67 L113 58 L159 58"/>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trendChart lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, `<rect class="col`); n != 2 {
		t.Errorf("%d columns, want 2 (none for the year without data)", n)
	}
	if again := string(trendChart("tren", "Tren <IP>", `Kolom & "garis"`, items)); again != got {
		t.Error("trendChart is not deterministic")
	}

	// Targets in separate runs give separate subpaths; no items still give a valid image.
	gap := string(trendChart("t", "", "", []trendItem{{Year: 2022, Target: &t75}, {Year: 2023}, {Year: 2024, Target: &t80}}))
	if !strings.Contains(gap, `d="M49 67 L95 67 M177 58 L223 58"`) {
		t.Errorf("targets across a gap:\n%s", gap)
	}
	wellFormed(t, string(trendChart("leer", "", "", nil)))
}

func TestNumberFormats(t *testing.T) {
	for _, c := range []struct {
		v    float64
		dec  int
		want string
	}{
		{71.58, 2, "71,58"}, {80, 2, "80,00"}, {1234.5, 2, "1.234,50"}, {-0.001, 2, "0,00"}, {-3.5, 1, "-3,5"}, {1234567, 0, "1.234.567"},
	} {
		if got := idDec(c.v, c.dec); got != c.want {
			t.Errorf("idDec(%v, %d) = %q, want %q", c.v, c.dec, got, c.want)
		}
	}
	for v, want := range map[float64]string{48.52: "48.52", 100: "100", 0: "0", 33.333: "33.33", -0.001: "0", 2.5: "2.5"} {
		if got := svgNum(v); got != want {
			t.Errorf("svgNum(%v) = %q, want %q", v, got, want)
		}
	}
}
