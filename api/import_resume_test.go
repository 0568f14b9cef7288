package api

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
)

// interruptedJob leaves the state a crash leaves after the first batch
// (rows 2-3) of file was committed: a failed, resumable job with its upload.
func (h *harness) interruptedJob(campID int64, file string) (*store.ImportJob, string) {
	h.t.Helper()
	ctx := context.Background()
	dir := filepath.Join(h.srv.cfg.DataDir, "imports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		h.t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("upload-%d.csv", len(file)))
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		h.t.Fatal(err)
	}
	src, err := importer.OpenFile(path, importer.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer src.Close()
	m, _ := importer.NewMapping(src.Header(), nil)
	job := &store.ImportJob{CampaignID: campID, Source: "upload", Filename: "名单.csv", FilePath: path, MappingJSON: encodeMapping(m)}
	if err := h.srv.store.CreateImportJob(ctx, job); err != nil {
		h.t.Fatal(err)
	}
	var first []store.Contact
	for range 2 {
		row, _ := src.Next()
		cand, _ := m.Validate(row)
		first = append(first, store.Contact{Name: cand.Name, Phone: cand.Phones[0]})
	}
	if _, err := h.srv.store.ImportBatchRows(ctx, job.ID, campID, store.RowRange{First: 2, Last: 3}, first, 0, 0); err != nil {
		h.t.Fatal(err)
	}
	if err := h.srv.store.FinishImportJob(ctx, job.ID, store.ImportFailed, store.InterruptedMessage, nil); err != nil {
		h.t.Fatal(err)
	}
	return job, path
}

// TestResumeAndCancelInterruptedImport (hole 10, API side): an interrupted
// upload is resumed after its committed batch without importing a row
// twice, cannot be resumed twice, and another is cancelled with its file.
func TestResumeAndCancelInterruptedImport(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	camp := h.campaign("续传")
	file := "姓名,手机\n甲,13800138001\n乙,13800138002\n丙,13800138003\n丁,1380013800\n戊,13800138005\n"
	job, path := h.interruptedJob(camp.ID, file)

	var got store.ImportJob
	h.do("GET", fmt.Sprintf("/api/v1/imports/%d", job.ID), sup, nil, 200, &got)
	if !got.Resumable || got.Imported != 2 {
		t.Fatalf("before resume: %+v", got)
	}
	h.do("POST", fmt.Sprintf("/api/v1/imports/%d/resume", job.ID), h.tokens[store.RoleQA], nil, 403, nil)
	h.do("POST", fmt.Sprintf("/api/v1/imports/%d/resume", job.ID), sup, nil, 202, nil)
	got = h.waitImport(job.ID)
	if got.Status != store.ImportDone || got.Total != 5 || got.Imported != 4 || got.Rejected != 1 || got.Duplicates != 0 || got.Resumable {
		t.Fatalf("after resume: %s total %d imported %d rejected %d dup %d (%s)", got.Status, got.Total, got.Imported, got.Rejected, got.Duplicates, got.Message)
	}
	var contacts list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), h.tokens[store.RoleAdmin], nil, 200, &contacts)
	if contacts.Total != 4 {
		t.Fatalf("campaign holds %d contacts", contacts.Total)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the upload is still kept after the import finished: %v", err)
	}
	rec := h.raw("POST", fmt.Sprintf("/api/v1/imports/%d/resume", job.ID), sup, nil)
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), "is done") {
		t.Fatalf("second resume: %d %s", rec.Code, rec.Body.String())
	}

	other, path2 := h.interruptedJob(camp.ID, file+"己,13800138006\n")
	h.do("POST", fmt.Sprintf("/api/v1/imports/%d/cancel", other.ID), sup, nil, 202, nil)
	h.do("GET", fmt.Sprintf("/api/v1/imports/%d", other.ID), sup, nil, 200, &got)
	if got.Status != store.ImportCancelled || got.Resumable {
		t.Fatalf("cancelled: %+v", got)
	}
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Fatalf("the cancelled import's upload is kept: %v", err)
	}
	h.do("POST", fmt.Sprintf("/api/v1/imports/%d/resume", other.ID), sup, nil, 409, nil)
}
