package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

// Tests of the approval-workflow pages (web/pages_requests*.go): every path goes through the
// real forms, with the session's CSRF token, on both databases.

// ---- helpers (prefixed rp: request pages) ----

// rpActor returns the service actor of a user.
func (ts *testServer) rpActor(username string) domain.Actor {
	ts.t.Helper()
	var u domain.User
	if err := ts.db.Gorm.Where("username = ?", username).Take(&u).Error; err != nil {
		ts.t.Fatalf("user %s: %v", username, err)
	}
	return u.Actor()
}

// rpStart is a start date three weeks ahead (in WIB), far enough for any non-retroactive
// request.
func (ts *testServer) rpStart() domain.Date {
	return domain.DateOf(ts.db.Now().Add(7*time.Hour).AddDate(0, 0, 21))
}

// rpForm is a valid request form for DISDIK with the given participants ticked.
func (ts *testServer) rpForm(title string, nips ...string) url.Values {
	start := ts.rpStart()
	return url.Values{"title": {title}, "kind": {"teknis"}, "organizer": {"bkpsdm"}, "place": {"Aula BKPSDM"},
		"start_date": {start.String()}, "end_date": {start.AddDate(0, 0, 2).Format(domain.DateLayout)}, "jp": {"24"},
		"objectives": {"Meningkatkan kemampuan\nmenyusun modul ajar."}, "competencies": {"Perencanaan pembelajaran"},
		"budget_source": {"DPA Dinas Pendidikan"}, "peserta": nips, "aksi": {"simpan"}}
}

var rpLocationRE = regexp.MustCompile(`^/usulan/(\d+)$`)

// rpCreate posts the new-request form and returns the id of the request it redirected to.
func (b *browser) rpCreate(t *testing.T, form url.Values) int64 {
	t.Helper()
	resp, body := b.postForm("/usulan/baru", form)
	m := rpLocationRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("new request form: %d to %q, want 303 to /usulan/<id>; body %s", resp.StatusCode, resp.Header.Get("Location"), trimBody(body))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// rpGet reads a request through the service as BKPSDM sees it.
func (ts *testServer) rpGet(id int64) *issuer.Detail {
	ts.t.Helper()
	d, err := ts.srv.Requests.Get(context.Background(), domain.System, id)
	if err != nil {
		ts.t.Fatalf("get request %d: %v", id, err)
	}
	return d
}

// rpCount counts the rows of a table.
func (ts *testServer) rpCount(table string) int64 {
	ts.t.Helper()
	var n int64
	if err := ts.db.Gorm.Table(table).Count(&n).Error; err != nil {
		ts.t.Fatal(err)
	}
	return n
}

// rpPost posts a form and wants a redirect back to the request's page.
func (b *browser) rpPost(t *testing.T, path string, form url.Values, id int64) {
	t.Helper()
	resp, body := b.postForm(path, form)
	if want := fmt.Sprintf("/usulan/%d", id); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("POST %s: %d to %q, want 303 to %s; body %s", path, resp.StatusCode, resp.Header.Get("Location"), want, trimBody(body))
	}
}

// rpState wants the request in state.
func (ts *testServer) rpState(t *testing.T, id int64, want issuer.State) *issuer.Detail {
	t.Helper()
	d := ts.rpGet(id)
	if d.Request.State != want {
		t.Fatalf("request %d is %s, want %s", id, d.Request.State, want)
	}
	return d
}

// rpBell returns the unread count the menu shows ("" when none).
func rpBell(body string) string {
	m := regexp.MustCompile(`id="belum-dibaca">(\d+)`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// ---- the form ----

func TestRequestPageCreate(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		opd := ts.login(testUsers[domain.RoleOPD])

		// The empty form: every kind grouped by form, the leadership levels, the organizers,
		// the JP help and the OPD's own employees to pick (not another OPD's).
		resp, body := opd.get("/usulan/baru")
		wantPage(t, "new form", resp, body, 200, `<optgroup label="Klasikal">`, `<optgroup label="Nonklasikal">`,
			`value="bimbingan_kerja"`, `value="pkn1"`, "Lembaga Administrasi Negara (LAN)", "20 JP per kegiatan",
			"2 JP per sesi", "paling banyak 3 JP per hari", "Andi Wijaya", "Siti Rahmawati", nipA2, `name="nip_list"`,
			"bukti pelaksanaan", `<script src="/static/usulan.js" defer></script>`)
		if strings.Contains(body, "Budi Santoso") {
			t.Errorf("the pick list shows another OPD's employee")
		}

		// Searching the pick list re-renders the form with what was typed, writes nothing.
		before := ts.rpCount("dev_requests")
		form := ts.rpForm("Pelatihan Penyusunan Modul Ajar", nipA1)
		form.Set("aksi", "cari")
		form.Set("cari_pegawai", "siti")
		resp, body = opd.postForm("/usulan/baru", form)
		wantPage(t, "search", resp, body, 200, `value="Pelatihan Penyusunan Modul Ajar"`, "Siti Rahmawati",
			`value="`+nipA1+`" checked`) // ticked before the search: kept, ticked
		if ts.rpCount("dev_requests") != before {
			t.Errorf("a search wrote a request")
		}

		// Saving: a draft with the ticked employee and a pasted NIP written with spaces.
		form = ts.rpForm("Pelatihan Penyusunan Modul Ajar", nipA1)
		form.Set("nip_list", "19700101 200001 2 002\n\n")
		id := opd.rpCreate(t, form)
		list, _, err := ts.srv.Requests.List(context.Background(), ts.rpActor(testUsers[domain.RoleOPD]), issuer.ListFilter{Q: "modul ajar"})
		if err != nil || len(list) != 1 || list[0].ID != id || list[0].Participants != 2 || list[0].State != issuer.StateDraft {
			t.Fatalf("after create, List = %+v, %v; want request %d as a draft with 2 participants", list, err, id)
		}
		d := ts.rpGet(id)
		if r := d.Request; r.Kind != "teknis" || !r.Classroom || r.JP != 24 || r.OrganizerType != "bkpsdm" || r.BudgetSource != "DPA Dinas Pendidikan" {
			t.Errorf("stored request %+v", r)
		}
		resp, body = opd.get(fmt.Sprintf("/usulan/%d", id))
		wantPage(t, "detail after create", resp, body, 200, "Usulan disimpan sebagai draf", "Draf", "Pelatihan Teknis",
			"Klasikal", "24 JP", "Andi Wijaya", "Siti Rahmawati", "Ajukan ke BKPSDM", `href="/usulan/`+strconv.FormatInt(id, 10)+`/ubah"`,
			"Usulan dibuat", "Tambah lampiran")

		// The list shows it under its state's tab.
		resp, body = opd.get("/usulan?status=draft")
		wantPage(t, "draft tab", resp, body, 200, "Usulan saya", "Pelatihan Penyusunan Modul Ajar", `aria-current="page">Draf`)
		if strings.Contains(body, "Bimbingan Teknis Kurikulum Merdeka") {
			t.Errorf("the draft tab lists the submitted sample request")
		}
	})
}

func TestRequestPageFormErrors(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		opd := ts.login(testUsers[domain.RoleOPD])
		before := ts.rpCount("dev_requests")

		// Reversed dates and 0 JP: each message next to its field, the input kept.
		form := ts.rpForm("Pelatihan Teknis Arsip", nipA1)
		start := ts.rpStart()
		form.Set("start_date", start.AddDate(0, 0, 5).Format(domain.DateLayout))
		form.Set("end_date", start.Format(domain.DateLayout))
		form.Set("jp", "0")
		resp, body := opd.postForm("/usulan/baru", form)
		wantPage(t, "reversed dates, 0 JP", resp, body, 400, `role="alert"`,
			`<p class="field-error" id="end_date-error">Tanggal selesai tidak boleh sebelum tanggal mulai.</p>`,
			`<p class="field-error" id="jp-error">Jumlah JP harus lebih dari 0.</p>`, `aria-invalid="true"`,
			`value="Pelatihan Teknis Arsip"`, `value="`+nipA1+`" checked`, "Meningkatkan kemampuan\nmenyusun modul ajar.")

		// A participant from another OPD.
		form = ts.rpForm("Pelatihan Teknis Arsip")
		form.Set("nip_list", nipB1)
		resp, body = opd.postForm("/usulan/baru", form)
		wantPage(t, "other OPD's employee", resp, body, 400, nipB1+": tidak terdaftar sebagai pegawai OPD pengusul", `id="participants-error"`,
			nipB1+"</textarea>")

		// No participant, no title, an unparseable date.
		form = ts.rpForm("")
		form.Set("start_date", "31/02/2026")
		resp, body = opd.postForm("/usulan/baru", form)
		wantPage(t, "empty", resp, body, 400, "Judul kegiatan wajib diisi.", "Pilih paling sedikit satu peserta.",
			"Tanggal tidak sah: gunakan format TTTT-BB-HH")

		if n := ts.rpCount("dev_requests"); n != before {
			t.Errorf("failed forms wrote %d requests", n-before)
		}
	})
}

func TestRequestPageEditRefusedAfterSubmit(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		opd := ts.login(testUsers[domain.RoleOPD])
		// Sample request 1 is submitted: no edit link, no edit form, no edit.
		_, body := opd.get("/usulan/1")
		if strings.Contains(body, `href="/usulan/1/ubah"`) {
			t.Errorf("a submitted request offers its edit form")
		}
		resp, body := opd.get("/usulan/1/ubah")
		wantPage(t, "edit form of a submitted request", resp, body, 409, "Usulan berstatus “Diajukan” tidak dapat diubah")
		resp, body = opd.postForm("/usulan/1/ubah", ts.rpForm("Judul yang diubah diam-diam", nipA1))
		wantPage(t, "edit of a submitted request", resp, body, 409, "tidak dapat dilakukan pada usulan berstatus")
		if d := ts.rpGet(1); d.Request.Title != "Bimbingan Teknis Kurikulum Merdeka" || d.Request.Version != 3 { // created, attachment, submitted
			t.Errorf("request 1 changed: %q version %d", d.Request.Title, d.Request.Version)
		}
	})
}

// ---- the whole path ----

func TestRequestPageWorkflow(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		opd := ts.login(testUsers[domain.RoleOPD])
		rev := ts.login(testUsers[domain.RoleVerifikator])

		id := opd.rpCreate(t, ts.rpForm("Diklat Teknis Pengelolaan Keuangan Sekolah", nipA1, nipA2))
		page := fmt.Sprintf("/usulan/%d", id)

		// OPD submits.
		opd.get(page)
		opd.rpPost(t, page+"/ajukan", url.Values{"catatan": {"Mohon diproses."}}, id)
		ts.rpState(t, id, issuer.StateSubmitted)
		_, body := opd.get(page)
		wantPage(t, "after submit", &http.Response{StatusCode: 200}, body, 200, "Usulan diajukan ke BKPSDM", "Diajukan", "Mohon diproses.")

		// The reviewer finds it in the queue, with its age, and on its page the decision
		// aids and the decision forms.
		resp, body := rev.get("/antrean")
		wantPage(t, "queue", resp, body, 200, "Usulan menunggu keputusan", "Diklat Teknis Pengelolaan Keuangan Sekolah",
			"menunggu sejak hari ini", "Bimbingan Teknis Kurikulum Merdeka")
		if strings.Index(body, "Bimbingan Teknis Kurikulum Merdeka") > strings.Index(body, "Diklat Teknis Pengelolaan Keuangan Sekolah") {
			t.Errorf("queue: the older sample request is not first")
		}
		resp, body = rev.get(page)
		wantPage(t, "reviewer's page", resp, body, 200, "Beban JP peserta tahun ini", "Usulan lain yang beririsan",
			`action="`+page+`/setujui"`, `action="`+page+`/kembalikan"`, `action="`+page+`/tolak"`)
		if strings.Contains(body, `action="`+page+`/ajukan"`) || strings.Contains(body, `id="form-lampiran"`) {
			t.Errorf("the reviewer is offered the OPD's forms")
		}

		// Returning needs a note; with one the OPD sees it.
		resp, body = rev.postForm(page+"/kembalikan", url.Values{"catatan": {"  "}})
		wantPage(t, "return without note", resp, body, 400, "Tuliskan catatan perbaikan untuk OPD.")
		rev.rpPost(t, page+"/kembalikan", url.Values{"catatan": {"Lengkapi tujuan kegiatan dan JP per hari."}}, id)
		ts.rpState(t, id, issuer.StateReturned)
		_, body = opd.get(page)
		wantPage(t, "returned", &http.Response{StatusCode: 200}, body, 200, "Dikembalikan untuk perbaikan",
			"Catatan perbaikan dari verifikator", "Lengkapi tujuan kegiatan dan JP per hari.")

		// The OPD edits (the form comes filled in) and submits again.
		resp, body = opd.get(page + "/ubah")
		wantPage(t, "edit form", resp, body, 200, `value="Diklat Teknis Pengelolaan Keuangan Sekolah"`, `value="`+nipA1+`" checked`,
			`value="`+nipA2+`" checked`, `name="version" value="3"`)
		form := ts.rpForm("Diklat Teknis Pengelolaan Keuangan Sekolah Tahun 2027", nipA1, nipA2)
		form.Set("version", "3")
		form.Set("objectives", "Bendahara sekolah mampu menyusun laporan BOS.")
		opd.rpPost(t, page+"/ubah", form, id)
		if d := ts.rpGet(id); d.Request.Title != "Diklat Teknis Pengelolaan Keuangan Sekolah Tahun 2027" || d.Request.State != issuer.StateReturned {
			t.Fatalf("after edit: %q %s", d.Request.Title, d.Request.State)
		}
		opd.get(page)
		opd.rpPost(t, page+"/ajukan", nil, id)

		// Approval: the number on the page and the letter as a PDF.
		rev.get(page)
		rev.rpPost(t, page+"/setujui", url.Values{"catatan": {""}}, id)
		d := ts.rpState(t, id, issuer.StateApproved)
		number := d.Request.Recommendation()
		if number == "" {
			t.Fatal("approved without a recommendation number")
		}
		for _, b := range []*browser{rev, opd} {
			_, body = b.get(page)
			wantPage(t, "approved", &http.Response{StatusCode: 200}, body, 200, "Disetujui", number, `href="`+page+`/surat.pdf"`)
		}
		resp, body = opd.get(page + "/surat.pdf")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("letter: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), trimBody(body))
		}

		// The realisation report: both planned participants listed with the approved JP. It is
		// accepted from the activity's last day: the activity is moved to end today.
		ts.activityEndsToday(t, id)
		_, body = opd.get(page)
		wantPage(t, "report link", &http.Response{StatusCode: 200}, body, 200, `href="`+page+`/laporan"`)
		resp, body = opd.get(page + "/laporan")
		wantPage(t, "report form", resp, body, 200, "Laporan realisasi", "Andi Wijaya", "Siti Rahmawati",
			`name="nip_0" value="`+nipA1+`"`, `name="jp_0" type="number" min="0" max="24" step="1" inputmode="numeric" value="24"`)
		report := url.Values{"rows": {"5"},
			"nip_0": {nipA1}, "tercantum_0": {"1"}, "hadir_0": {"1"}, "lulus_0": {"1"}, "jp_0": {"24"}, "nilai_0": {"88,5"},
			"nip_1": {nipA2}, "tercantum_1": {"1"}, "hadir_1": {"1"}, "jp_1": {"12"},
			"nip_2": {""}, "nip_3": {""}, "nip_4": {""}, "catatan": {"Kegiatan terlaksana."}}
		// A mistake first: passed without attending. The form comes back as typed.
		bad := url.Values{}
		for k, v := range report {
			bad[k] = v
		}
		bad.Del("hadir_0")
		resp, body = opd.postForm(page+"/laporan", bad)
		wantPage(t, "bad report", resp, body, 400, nipA1+": tidak dapat lulus tanpa hadir", `value="88,5"`, "Kegiatan terlaksana.")
		opd.rpPost(t, page+"/laporan", report, id)
		ts.rpState(t, id, issuer.StateReported)

		// The reviewer verifies it from the queue.
		_, body = rev.get("/antrean?status=reported")
		wantPage(t, "report queue", &http.Response{StatusCode: 200}, body, 200, "Laporan realisasi menunggu verifikasi",
			"Diklat Teknis Pengelolaan Keuangan Sekolah Tahun 2027")
		_, body = rev.get(page)
		wantPage(t, "reported page", &http.Response{StatusCode: 200}, body, 200, "Laporan diajukan", "88,5", "✓ Memenuhi syarat",
			`action="`+page+`/laporan/verifikasi"`, `action="`+page+`/laporan/kembalikan"`)
		rev.rpPost(t, page+"/laporan/verifikasi", url.Values{"catatan": {"Sesuai daftar hadir."}}, id)
		d = ts.rpState(t, id, issuer.StateVerified)
		eligible := 0
		for _, p := range d.Participants {
			if p.Eligible() {
				eligible++
			}
		}
		if eligible != 1 {
			t.Errorf("%d eligible participants, want 1 (nipA2 did not pass)", eligible)
		}
		_, body = opd.get(page)
		wantPage(t, "verified", &http.Response{StatusCode: 200}, body, 200, "Laporan diverifikasi", "Sesuai daftar hadir.")
		// The timeline tells the whole story in order.
		var last int
		for _, step := range []string{"Usulan dibuat", "Usulan diajukan", "Dikembalikan untuk perbaikan", "Usulan diubah", "Disetujui",
			"Laporan realisasi diajukan", "Laporan diverifikasi"} {
			i := strings.Index(body[last:], "<strong>"+step+"</strong>")
			if i < 0 {
				t.Errorf("timeline: %q missing or out of order", step)
				continue
			}
			last += i
		}
	})
}

func TestRequestPageApproveTwice(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		rev := ts.login(testUsers[domain.RoleVerifikator])
		rev.get("/usulan/1")
		form := url.Values{"_csrf": {rev.csrf}, "catatan": {"Disetujui sesuai kebutuhan."}}
		// The same form sent twice (a double click): both answered with the request's page.
		rev.rpPost(t, "/usulan/1/setujui", form, 1)
		first := ts.rpState(t, 1, issuer.StateApproved)
		rev.rpPost(t, "/usulan/1/setujui", form, 1)
		second := ts.rpState(t, 1, issuer.StateApproved)
		if first.Request.Recommendation() != second.Request.Recommendation() || len(first.History) != len(second.History) ||
			first.Request.Version != second.Request.Version {
			t.Errorf("the second approval changed something: %s/%d/v%d → %s/%d/v%d", first.Request.Recommendation(), len(first.History),
				first.Request.Version, second.Request.Recommendation(), len(second.History), second.Request.Version)
		}
		_, body := rev.get("/usulan/1")
		if n := strings.Count(body, "<strong>Disetujui</strong>"); n != 1 {
			t.Errorf("timeline shows %d approvals, want 1", n)
		}
		// Another decision on a decided request is a conflict shown on the page.
		resp, body := rev.postForm("/usulan/1/tolak", url.Values{"catatan": {"Terlambat."}})
		wantPage(t, "reject after approval", resp, body, 409, "tidak dapat dilakukan pada usulan berstatus &#34;Disetujui&#34;")
	})
}

// The service refuses a realisation report before the activity's last day, so the page
// offers the report button only from that day on; before it, the OPD reads from when.
func TestRequestPageReportButtonFromLastDay(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		rev := ts.login(testUsers[domain.RoleVerifikator])
		rev.get("/usulan/1")
		rev.rpPost(t, "/usulan/1/setujui", url.Values{"catatan": {""}}, 1)
		ts.rpState(t, 1, issuer.StateApproved)
		opd := ts.login(testUsers[domain.RoleOPD])
		const button, link = `id="isi-laporan"`, `href="/usulan/1/laporan"`
		months := []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
		note := func(end domain.Date) string {
			return fmt.Sprintf("Laporan realisasi dapat diisi mulai %d %s %d.", end.Day(), months[end.Month()-1], end.Year())
		}

		// Before the last day (the sample activity is two weeks ahead): the note, no button.
		end := ts.rpGet(1).Request.EndDate
		if !ts.wibToday().Before(end.Time) {
			t.Fatalf("sample activity ends %s, want after today", end)
		}
		resp, body := opd.get("/usulan/1")
		wantPage(t, "before the last day", resp, body, 200, note(end))
		if strings.Contains(body, button) || strings.Contains(body, link) {
			t.Errorf("before the last day: the page offers the report (%s)", button)
		}
		// The reviewer, who does not report, sees neither.
		_, body = rev.get("/usulan/1")
		if strings.Contains(body, button) || strings.Contains(body, "Laporan realisasi dapat diisi mulai") {
			t.Errorf("reviewer's page: report button or note shown")
		}

		// On the last day and after it: the button, no note.
		for _, daysAgo := range []int{0, 1} {
			ts.activityEndsToday(t, 1)
			if daysAgo > 0 {
				r := ts.rpGet(1).Request
				if err := ts.db.Gorm.Model(&issuer.Request{}).Where("id = ?", 1).Updates(map[string]any{
					"start_date": domain.Date{Time: r.StartDate.AddDate(0, 0, -daysAgo)},
					"end_date":   domain.Date{Time: r.EndDate.AddDate(0, 0, -daysAgo)}}).Error; err != nil {
					t.Fatal(err)
				}
			}
			end := ts.rpGet(1).Request.EndDate
			if want := ts.wibToday().AddDate(0, 0, -daysAgo); !end.Equal(want) {
				t.Fatalf("activity ends %s, want %s", end, want)
			}
			resp, body := opd.get("/usulan/1")
			wantPage(t, fmt.Sprintf("%d days after the last day", daysAgo), resp, body, 200, button, link, "Isi laporan realisasi")
			if strings.Contains(body, "Laporan realisasi dapat diisi mulai") {
				t.Errorf("%d days after the last day: the page still says the report opens later", daysAgo)
			}
		}
	})
}

// ---- who sees what ----

func TestRequestPageOtherOPD(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		if _, err := ts.srv.Accounts.Create(ctx, domain.System, account.UserInput{Username: "opd.dinkes", DisplayName: "Operator Dinkes",
			Role: domain.RoleOPD, OPDCode: "DINKES", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		start := ts.rpStart()
		d, err := ts.srv.Requests.Create(ctx, ts.rpActor("opd.dinkes"), issuer.RequestInput{Title: "Pelatihan Pengelolaan Data Kesehatan",
			Kind: "teknis", Organizer: "opd", Place: "Dinkes", StartDate: start, EndDate: start, JP: 8, Participants: []string{nipB1}})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/usulan/%d", d.Request.ID)

		disdik := ts.login(testUsers[domain.RoleOPD])
		for _, p := range []string{page, page + "/ubah", page + "/laporan", page + "/surat.pdf"} {
			resp, body := disdik.get(p)
			wantPage(t, "DISDIK GET "+p, resp, body, 403, "Akses ditolak")
		}
		for _, p := range []string{page + "/ajukan", page + "/tarik", page + "/ubah"} {
			resp, body := disdik.postForm(p, url.Values{"konfirmasi": {"ya"}})
			wantPage(t, "DISDIK POST "+p, resp, body, 403, "Usulan ini milik OPD lain.")
		}
		if _, body := disdik.get("/usulan"); strings.Contains(body, "Pelatihan Pengelolaan Data Kesehatan") {
			t.Errorf("DISDIK's list shows DINKES's request")
		}
		ts.rpState(t, d.Request.ID, issuer.StateDraft)

		// Its own OPD sees and submits it.
		dinkes := ts.login("opd.dinkes")
		resp, body := dinkes.get(page)
		wantPage(t, "DINKES page", resp, body, 200, "Pelatihan Pengelolaan Data Kesehatan", "Budi Santoso")
		dinkes.rpPost(t, page+"/ajukan", nil, d.Request.ID)
	})
}

func TestRequestPagePegawai(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		peg := ts.login(testUsers[domain.RolePegawai])
		resp, body := peg.get("/usulan/1")
		wantPage(t, "pegawai page", resp, body, 200, "Bimbingan Teknis Kurikulum Merdeka", "Diajukan", "Andi Wijaya",
			"kerangka-acuan.pdf")
		for _, no := range []string{"<form method=\"post\" action=\"/usulan/1/", "Beban JP peserta", "Tambah lampiran"} {
			if strings.Contains(body, no) {
				t.Errorf("pegawai page shows %q", no)
			}
		}
		_, body = peg.get("/usulan")
		wantPage(t, "pegawai list", &http.Response{StatusCode: 200}, body, 200, "Usulan yang saya ikuti", "Bimbingan Teknis Kurikulum Merdeka")
		_, body = peg.get("/")
		wantPage(t, "pegawai dashboard", &http.Response{StatusCode: 200}, body, 200, "Kegiatan pengembangan kompetensi yang Anda ikuti",
			"Bimbingan Teknis Kurikulum Merdeka")
		for _, p := range []string{"/usulan/1/setujui", "/usulan/1/tolak", "/usulan/1/kembalikan", "/usulan/1/ajukan", "/usulan/1/tarik",
			"/usulan/1/laporan", "/usulan/1/laporan/verifikasi", "/usulan/1/lampiran", "/usulan/1/ubah", "/usulan/baru"} {
			resp, body := peg.postForm(p, url.Values{"catatan": {"x"}, "konfirmasi": {"ya"}})
			wantPage(t, "pegawai POST "+p, resp, body, 403, "Akses ditolak")
		}
		// The attachment downloads for a participant.
		resp, body = peg.get("/usulan/1/lampiran/1")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || body != string(samplePDF) {
			t.Errorf("pegawai attachment download: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		ts.rpState(t, 1, issuer.StateSubmitted)
	})
}

// ---- notifications ----

func TestRequestPageNotifications(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		rev := ts.login(testUsers[domain.RoleVerifikator])
		// The sample's submission is waiting for the reviewer; clear it first.
		_, body := rev.get("/")
		if got := rpBell(body); got != "1" {
			t.Errorf("bell before: %q, want 1 (the sample's submission)", got)
		}
		resp, _ := rev.postForm("/notifikasi/baca", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notifikasi" {
			t.Fatalf("mark all read: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = rev.get("/notifikasi")
		wantPage(t, "all read", &http.Response{StatusCode: 200}, body, 200, "Semua notifikasi ditandai sudah dibaca.", "Semua notifikasi sudah dibaca.")
		if rpBell(body) != "" {
			t.Errorf("bell still counts after marking all read")
		}

		// The OPD submits a new request: the reviewer's bell rings.
		opd := ts.login(testUsers[domain.RoleOPD])
		id := opd.rpCreate(t, ts.rpForm("Workshop Penguatan Literasi Digital", nipA2))
		opd.get(fmt.Sprintf("/usulan/%d", id))
		opd.rpPost(t, fmt.Sprintf("/usulan/%d/ajukan", id), nil, id)

		_, body = rev.get("/")
		if got := rpBell(body); got != "1" {
			t.Errorf("bell after submit: %q, want 1", got)
		}
		resp, body = rev.get("/notifikasi")
		wantPage(t, "notifications", resp, body, 200, "Usulan diajukan: Workshop Penguatan Literasi Digital", `class="unread"`,
			`<span class="badge new">Baru</span>`, "1 belum dibaca.")
		if strings.Index(body, "Workshop Penguatan Literasi Digital") > strings.Index(body, "Bimbingan Teknis Kurikulum Merdeka") {
			t.Errorf("notifications are not newest first")
		}
		m := regexp.MustCompile(`action="/notifikasi/(\d+)/baca"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no notification form")
		}
		// Clicking it marks it read and opens the request.
		resp, _ = rev.postForm("/notifikasi/"+m[1]+"/baca", nil)
		if want := fmt.Sprintf("/usulan/%d", id); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("open notification: %d %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		_, body = rev.get("/notifikasi")
		if rpBell(body) != "" || strings.Contains(body, `class="unread"`) {
			t.Errorf("the notification is still unread")
		}
		// Another user's notification id: nothing happens to it, and no redirect to its link.
		peg := ts.login(testUsers[domain.RolePegawai])
		resp, _ = peg.postForm("/notifikasi/"+m[1]+"/baca", nil)
		if resp.Header.Get("Location") != "/notifikasi" {
			t.Errorf("someone else's notification led to %q", resp.Header.Get("Location"))
		}
		// The OPD hears of the decision.
		rev.get(fmt.Sprintf("/usulan/%d", id))
		rev.rpPost(t, fmt.Sprintf("/usulan/%d/setujui", id), nil, id)
		_, body = opd.get("/notifikasi")
		wantPage(t, "opd notification", &http.Response{StatusCode: 200}, body, 200, "Disetujui: Workshop Penguatan Literasi Digital")
		if rpBell(body) == "" {
			t.Errorf("the OPD's bell is silent after the approval")
		}
	})
}

// ---- attachments ----

func TestRequestPageAttachments(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		opd := ts.login(testUsers[domain.RoleOPD])
		id := opd.rpCreate(t, ts.rpForm("Seminar Pendidikan Inklusif", nipA1))
		page := fmt.Sprintf("/usulan/%d", id)
		_, body := opd.get(page)
		wantPage(t, "upload form", &http.Response{StatusCode: 200}, body, 200, `enctype="multipart/form-data"`, `value="daftar_hadir"`, "Belum ada lampiran.")

		// A text file is refused with a message; nothing stored.
		before := ts.rpCount("attachments")
		resp, body := opd.postMultipart(page+"/lampiran", url.Values{"jenis": {"usulan"}}, upload{"berkas", "catatan.txt", []byte("ini bukan PDF")})
		wantPage(t, "text upload", resp, body, 400, "Jenis berkas tidak diterima: hanya PDF, JPG atau PNG.", `id="upload-error"`)
		// No file at all.
		resp, body = opd.postMultipart(page+"/lampiran", url.Values{"jenis": {"usulan"}})
		wantPage(t, "no file", resp, body, 400, "Pilih berkas PDF, JPG atau PNG yang akan dilampirkan.")
		if ts.rpCount("attachments") != before {
			t.Fatalf("refused uploads stored something")
		}

		// A PDF is stored; the page lists it and it downloads with its type.
		resp, body = opd.postMultipart(page+"/lampiran", url.Values{"jenis": {"usulan"}}, upload{"berkas", "undangan kegiatan.pdf", samplePDF})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"#lampiran" {
			t.Fatalf("pdf upload: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), trimBody(body))
		}
		d := ts.rpGet(id)
		if len(d.Attachments) != 1 || d.Attachments[0].FileName != "undangan kegiatan.pdf" || d.Attachments[0].Purpose != issuer.PurposeProposal {
			t.Fatalf("attachments %+v", d.Attachments)
		}
		att := fmt.Sprintf("%s/lampiran/%d", page, d.Attachments[0].ID)
		_, body = opd.get(page)
		wantPage(t, "listed", &http.Response{StatusCode: 200}, body, 200, "Lampiran undangan kegiatan.pdf (Dokumen usulan) ditambahkan.",
			`href="`+att+`"`, "Dokumen usulan")
		resp, body = opd.get(att)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || body != string(samplePDF) ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "undangan kegiatan.pdf") {
			t.Errorf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		// An attachment of another request is not reachable through this one.
		resp, _ = opd.get(page + "/lampiran/1")
		if resp.StatusCode != 404 {
			t.Errorf("request 1's attachment through request %d: %d, want 404", id, resp.StatusCode)
		}
	})
}

// ---- CSRF ----

func TestRequestPageCSRF(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		rev := ts.login(testUsers[domain.RoleVerifikator])
		resp, body := rev.postForm("/usulan/1/setujui", url.Values{"_csrf": {""}})
		wantPage(t, "approve without token", resp, body, 403, "token CSRF")
		resp, body = rev.postForm("/usulan/1/setujui", url.Values{"_csrf": {"a-forged-token-a-forged-token-a-forged-token"}})
		wantPage(t, "approve with a wrong token", resp, body, 403, "token CSRF")
		ts.rpState(t, 1, issuer.StateSubmitted)

		opd := ts.login(testUsers[domain.RoleOPD])
		before := ts.rpCount("dev_requests")
		form := ts.rpForm("Pelatihan Tanpa Token", nipA1)
		form.Set("_csrf", "")
		resp, body = opd.postForm("/usulan/baru", form)
		wantPage(t, "create without token", resp, body, 403, "token CSRF")
		if ts.rpCount("dev_requests") != before {
			t.Errorf("a form without its token created a request")
		}
		resp, _ = opd.postMultipart("/usulan/1/lampiran", url.Values{"_csrf": {""}, "jenis": {"usulan"}}, upload{"berkas", "a.pdf", samplePDF})
		if resp.StatusCode != 403 {
			t.Errorf("upload without token: %d", resp.StatusCode)
		}
		resp, _ = rev.postForm("/notifikasi/baca", url.Values{"_csrf": {""}})
		if resp.StatusCode != 403 {
			t.Errorf("mark read without token: %d", resp.StatusCode)
		}
	})
}

// ---- lists, queue and dashboard ----

func TestRequestPageListsAndQueue(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		clock.Advance(3 * 24 * time.Hour)
		rev := ts.login(testUsers[domain.RoleVerifikator])
		resp, body := rev.get("/antrean")
		wantPage(t, "queue", resp, body, 200, "menunggu 3 hari", "Dinas Pendidikan", "Tidak ada laporan yang menunggu verifikasi.")
		resp, body = rev.get("/antrean?opd=DINKES")
		wantPage(t, "queue DINKES", resp, body, 200, "Tidak ada usulan yang menunggu keputusan.")
		resp, body = rev.get("/antrean?status=approved")
		wantPage(t, "queue bad status", resp, body, 400, "Antrean hanya memuat usulan")
		resp, body = ts.login(testUsers[domain.RolePenandatangan]).get("/antrean")
		wantPage(t, "signer's queue", resp, body, 200, "Bimbingan Teknis Kurikulum Merdeka", "Keputusan diambil oleh verifikator BKPSDM")

		// All requests for BKPSDM, with filters.
		for _, tc := range []struct {
			query string
			found bool
		}{{"", true}, {"?opd=DISDIK", true}, {"?opd=DINKES", false}, {"?jenis=bimtek", true}, {"?jenis=seminar", false},
			{"?status=submitted", true}, {"?status=approved", false}, {"?q=kurikulum", true}, {"?q=zzz", false}} {
			resp, body := rev.get("/usulan" + tc.query)
			if resp.StatusCode != 200 || strings.Contains(body, "Bimbingan Teknis Kurikulum Merdeka") != tc.found {
				t.Errorf("/usulan%s: %d, lists the sample %v, want %v", tc.query, resp.StatusCode, !tc.found, tc.found)
			}
		}
		resp, body = rev.get("/usulan?status=nonsense")
		wantPage(t, "unknown status", resp, body, 400, `Status &#34;nonsense&#34; tidak dikenal.`)
		// An OPD may not filter by another OPD.
		resp, body = ts.login(testUsers[domain.RoleOPD]).get("/usulan?opd=DINKES")
		wantPage(t, "opd filter", resp, body, 403, "Anda tidak berhak melihat usulan OPD lain.")

		// The dashboards.
		_, body = rev.get("/")
		wantPage(t, "reviewer dashboard", &http.Response{StatusCode: 200}, body, 200, "Usulan menunggu keputusan", `href="/antrean?status=submitted"`,
			`<span class="num">1</span><span class="lbl">Usulan menunggu keputusan</span>`)
		_, body = ts.login(testUsers[domain.RoleOPD]).get("/")
		wantPage(t, "opd dashboard", &http.Response{StatusCode: 200}, body, 200, `href="/usulan/baru"`, "Buat usulan",
			`href="/usulan?status=submitted"><span class="num">1</span>`)
	})
}

func TestRequestPageMenu(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		for role, name := range testUsers {
			_, body := ts.login(name).get("/usulan")
			if !strings.Contains(body, `<a href="/usulan" aria-current="page">Usulan</a>`) {
				t.Errorf("%s: the Usulan menu item is not current on /usulan", role)
			}
			if got, want := strings.Contains(body, `href="/antrean"`), role.IsBKPSDM(); got != want {
				t.Errorf("%s: Antrean in the menu = %v, want %v", role, got, want)
			}
			if !strings.Contains(body, `href="/notifikasi"`) {
				t.Errorf("%s: no notification bell", role)
			}
		}
	})
}
