package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func (h *harness) campaign(name string) store.Campaign {
	h.t.Helper()
	var c store.Campaign
	h.do("POST", "/api/v1/campaigns", h.tokens[store.RoleAdmin], map[string]any{"name": name, "kind": "collection",
		"media": "voice", "dial_mode": "progressive", "priority": 5, "caller_ids": []string{"02161234567"}}, 201, &c)
	return c
}

func (h *harness) waitImport(id int64) store.ImportJob {
	h.t.Helper()
	var job store.ImportJob
	eventually(h.t, "import to finish", func() bool {
		h.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), h.tokens[store.RoleAdmin], nil, 200, &job)
		return job.Status != store.ImportQueued && job.Status != store.ImportRunning
	})
	return job
}

// TestImportOfficeFiles imports the fixtures written by LibreOffice (xlsx,
// docx, doc) and a GBK text file, each into its own campaign, with one
// customer's ID number blacklisted beforehand.
func TestImportOfficeFiles(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"id_number": "510104200002290038", "reason": "客户要求"}, 201, nil)
	for _, file := range []string{"contacts_libreoffice.xlsx", "contacts.docx", "contacts.doc", "contacts_gbk.txt", "contacts.csv"} {
		t.Run(file, func(t *testing.T) {
			camp := h.campaign("导入-" + file)
			rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, file, readFile(t, "../importer/testdata/"+file), nil)
			if rec.Code != http.StatusAccepted {
				t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
			}
			var acc struct{ ID int64 }
			decode(t, rec, &acc)
			job := h.waitImport(acc.ID)
			// rows 2-10: row 9 blank; 4 and 6 rejected; 7 repeats row 5's phone;
			// row 10's ID is blacklisted.
			if job.Status != store.ImportDone || job.Total != 8 || job.Rejected != 2 || job.Duplicates != 1 || job.Blocked != 1 || job.Imported != 4 {
				t.Fatalf("job = %s total=%d imported=%d dup=%d blocked=%d rejected=%d (%s)", job.Status, job.Total, job.Imported, job.Duplicates, job.Blocked, job.Rejected, job.Message)
			}
			rejectedRows, dupRows := map[int]string{}, map[int]store.DuplicateOf{}
			for _, e := range job.Errors {
				switch {
				case e.IsDuplicate():
					dupRows[e.Row] = e.DuplicateOf
				case !e.Warning:
					rejectedRows[e.Row] = e.Field
				}
			}
			if rejectedRows[4] != "id_number" || rejectedRows[6] != "phone" || len(rejectedRows) != 2 {
				t.Fatalf("rejected rows %v", rejectedRows)
			}
			if len(dupRows) != 1 || dupRows[7].Row != 5 {
				t.Fatalf("duplicate rows %v, want row 7 as a duplicate of row 5", dupRows)
			}
			var contacts list[contactView]
			h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?page_size=100", camp.ID), admin, nil, 200, &contacts)
			if contacts.Total != 5 {
				t.Fatalf("stored %d contacts, want 5", contacts.Total)
			}
			for _, c := range contacts.Items {
				if c.Name == "吴刚" && (c.Status != store.ContactBlocked || c.NotDialable != store.ReasonBlacklisted) {
					t.Fatalf("blacklisted customer: %+v", c)
				}
			}
			// The same file again is detected.
			rec = h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, file, readFile(t, "../importer/testdata/"+file), nil)
			if rec.Code != http.StatusConflict {
				t.Fatalf("re-upload: %d %s", rec.Code, rec.Body.String())
			}
		})
	}
}

func TestImportBadFilesChangeNothing(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("坏文件")
	path := fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID)
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	cases := []struct {
		name, file string
		content    []byte
		status     int
	}{
		{"no file", "", nil, 400},
		{"empty", "empty.csv", []byte{}, 400},
		{"binary junk", "junk.xlsx", junk, 422},
		{"header only blank", "blank.csv", []byte("\n\n\n"), 422},
		{"too large", "big.csv", []byte("姓名,手机\n" + strings.Repeat("张三,13800138000\n", 90000)), 413},
		{"bad mapping", "ok.csv", []byte("姓名,手机\n张三,13800138000\n"), 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fields := map[string]string{}
			if c.name == "bad mapping" {
				fields["mapping"] = `{"手机":"salary"}`
			}
			rec := h.upload(path, admin, c.file, c.content, fields)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body.String())
			}
			if e := errorOf(t, rec); e.Message == "" {
				t.Fatal("no message")
			}
		})
	}
	var contacts list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, nil, 200, &contacts)
	var jobs list[store.ImportJob]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, nil, 200, &jobs)
	if contacts.Total != 0 || jobs.Total != 0 {
		t.Fatalf("bad files left %d contacts and %d jobs", contacts.Total, jobs.Total)
	}
}

func TestIngestAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("接口导入")
	body := map[string]any{"contacts": []map[string]any{
		{"name": "张伟", "phone": "13800138000", "id_number": "110101199003071233", "attributes": map[string]string{"balance": "1200.50"}},
		{"name": "李娜", "phone": "bad"},
		{"name": "张伟2", "phone": "+86 138 0013 8000"},
		{"name": "王芳", "phone": "0086 13700137000", "alt_phone": "010-12345678"},
	}}
	var job store.ImportJob
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, body, 200, &job)
	if job.Total != 4 || job.Imported != 2 || job.Rejected != 1 || job.Duplicates != 1 || job.Errors[0].Row != 2 || job.Errors[0].Field != "phone" {
		t.Fatalf("ingest = %+v", job)
	}
	if len(job.Errors) != 2 || job.Errors[1].Row != 3 || job.Errors[1].DuplicateOf.Row != 1 {
		t.Fatalf("ingest errors %+v, want item 3 as a duplicate of item 1", job.Errors)
	}
	// Sending the same contacts again: all duplicates against the campaign.
	first := h.contactID(camp.ID, "张伟")
	var again store.ImportJob
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, body, 200, &again)
	if again.Imported != 0 || again.Duplicates != 3 {
		t.Fatalf("second ingest = %+v", again)
	}
	if e := again.Errors; len(e) != 4 || e[0].DuplicateOf.ContactID != first || e[1].IsDuplicate() || e[2].DuplicateOf.Row != 1 || e[3].DuplicateOf.ContactID == 0 {
		t.Fatalf("second ingest errors %+v, want item 1 a duplicate of contact %d, item 3 of item 1, item 4 of its contact", e, first)
	}
	// A supervisor without pii_view sees masked numbers.
	var contacts list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), h.tokens[store.RoleSupervisor], nil, 200, &contacts)
	if contacts.Items[0].Phone != "138****8000" || contacts.Items[0].IDNumber != "110101********1233" {
		t.Fatalf("not masked: %+v", contacts.Items[0].Contact)
	}
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, nil, 200, &contacts)
	if contacts.Items[0].Phone != "+8613800138000" || contacts.Items[0].Attributes["balance"] != "1200.50" {
		t.Fatalf("admin view: %+v", contacts.Items[0].Contact)
	}
}

// contactID finds a contact of a campaign by name.
func (h *harness) contactID(campID int64, name string) int64 {
	h.t.Helper()
	var l list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?q=%s", campID, url.QueryEscape(name)), h.tokens[store.RoleAdmin], nil, 200, &l)
	for _, c := range l.Items {
		if c.Name == name {
			return c.ID
		}
	}
	h.t.Fatalf("no contact %q in campaign %d", name, campID)
	return 0
}

// The preview and errors.csv name what a duplicate repeats, like the job.
func TestImportPreviewAndReportNameDuplicates(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("预览重复")
	h.ingest(camp.ID, map[string]any{"name": "老客户", "phone": "13900139000"})
	held := h.contactID(camp.ID, "老客户")
	file := []byte("姓名,手机\n张伟,13800138000\n老客户,13900139000\n张伟2,138-0013-8000\n")

	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), admin, "dups.csv", file, nil)
	var pv previewResponse
	decode(t, rec, &pv)
	if rec.Code != 200 || len(pv.Rows) != 3 {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
	}
	if pv.Rows[0].DuplicateOf != (store.DuplicateOf{}) || pv.Rows[1].DuplicateOf.ContactID != held || pv.Rows[2].DuplicateOf.Row != 2 ||
		len(pv.Rows[1].Errors) != 1 || len(pv.Rows[2].Errors) != 1 {
		t.Fatalf("preview rows %+v", pv.Rows)
	}

	rec = h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, "dups.csv", file, nil)
	var acc struct{ ID int64 }
	decode(t, rec, &acc)
	job := h.waitImport(acc.ID)
	if job.Duplicates != 2 || len(job.Errors) != 2 || job.Errors[0].DuplicateOf.ContactID != held || job.Errors[1].DuplicateOf.Row != 2 {
		t.Fatalf("job %+v", job)
	}
	rec = h.raw("GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", acc.ID), admin, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if rec.Code != 200 || err != nil || len(recs) != 3 {
		t.Fatalf("errors.csv: %d %q %v", rec.Code, recs, err)
	}
	if recs[1][0] != "3" || recs[1][2] != "duplicate" || recs[1][5] != fmt.Sprint(held) || recs[2][0] != "4" || recs[2][4] != "2" {
		t.Fatalf("errors.csv rows %q", recs)
	}
}

func TestImportWithMappingTemplate(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("模板导入")
	// A file from a system whose headers nobody guesses: the template says which is which.
	file := []byte("cust,tel1,tel2,cid\n张伟,13800138000,,110101199003071233\n李娜,13900139000,010-12345678,\n")
	var tpl store.MappingTemplate
	h.do("POST", "/api/v1/mapping-templates", admin, map[string]any{"name": "核心系统导出",
		"mapping": map[string]string{"cust": "name", "tel1": "phone", "tel2": "alt_phone", "cid": "id_number"}}, 201, &tpl)
	h.do("POST", "/api/v1/mapping-templates", admin, map[string]any{"name": "坏模板", "mapping": map[string]string{"a": "salary"}}, 400, nil)

	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), admin, "x.csv", file, map[string]string{"template_id": fmt.Sprint(tpl.ID)})
	var pv previewResponse
	decode(t, rec, &pv)
	if rec.Code != 200 || len(pv.Rows) != 2 || !pv.Rows[0].Valid || !pv.Rows[1].Valid {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
	}
	rec = h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, "x.csv", file, map[string]string{"template_id": fmt.Sprint(tpl.ID)})
	var acc struct{ ID int64 }
	decode(t, rec, &acc)
	if job := h.waitImport(acc.ID); job.Imported != 2 {
		t.Fatalf("job: %+v", job)
	}
}
