package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestUploadErrorsNameTheUsersFile: errors about an uploaded file named the
// temporary copy ("upload-3776601335.xlsx"); they must name the file as the
// user sent it, and a 5,000-character name is stored shortened, not a 500.
func TestUploadErrorsNameTheUsersFile(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("文件名")
	for _, path := range []string{"imports/preview", "imports"} {
		rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/%s", camp.ID, path), admin, "客户名单.xlsx", []byte("PK\x03\x04 not really a zip"), nil)
		body := rec.Body.String()
		if rec.Code != 422 || strings.Contains(body, "upload-") || !strings.Contains(body, "客户名单.xlsx") {
			t.Errorf("%s: %d %s", path, rec.Code, body)
		}
	}
	long := strings.Repeat("名", 5000) + ".csv"
	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, long, []byte("姓名,手机\n张伟,13800138000\n"), nil)
	if rec.Code != 202 {
		t.Fatalf("long name: %d %s", rec.Code, rec.Body.String())
	}
	var acc struct{ ID int64 }
	decode(t, rec, &acc)
	job := h.waitImport(acc.ID)
	if job.Status != store.ImportDone || len(job.Filename) > 255 || !strings.HasSuffix(job.Filename, ".csv") {
		t.Fatalf("job %s %q", job.Status, job.Filename)
	}
}
