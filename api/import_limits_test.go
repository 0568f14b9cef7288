package api

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/importer/importertest"
	"github.com/bankcc/callcenter/store"
)

// TestPreviewMemoryBomb replays hole 4: an xlsx of about 12 MB whose shared
// strings expand to 1,000 MB took one preview to 4 GB of RSS, three at once
// to 8 GB. Three previews at once now end in a clear refusal (the limit) or
// a "busy" answer, and the heap grows by far less than 256 MB.
func TestPreviewMemoryBomb(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.MaxUploadBytes = 100 << 20 }})
	sup := h.tokens[store.RoleSupervisor]
	camp := h.campaign("炸弹")
	var file bytes.Buffer
	if err := importertest.SharedStringsBomb(&file, 1000<<20); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID)
	body, contentType := multipartFile("名单.xlsx", file.Bytes())
	file.Reset()
	codes := make([]int, 3)
	bodies := make([]string, 3)
	grew := importertest.HeapGrowth(func() {
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := httptest.NewRequest("POST", path, bytes.NewReader(body))
				req.Header.Set("Content-Type", contentType)
				req.Header.Set("Authorization", "Bearer "+sup)
				rec := httptest.NewRecorder()
				h.h.ServeHTTP(rec, req)
				codes[i], bodies[i] = rec.Code, rec.Body.String()
			}()
		}
		wg.Wait()
	})
	refused := 0
	for i, code := range codes {
		switch {
		case code == 422 && strings.Contains(bodies[i], "名单.xlsx: the shared strings (the workbook's text cells) hold more than 64 MB"):
			refused++
		case code == 503 && strings.Contains(bodies[i], "try again"):
		default:
			t.Errorf("preview %d: %d %s", i, code, bodies[i])
		}
	}
	if refused == 0 {
		t.Errorf("no preview reached the limit: %v", codes)
	}
	if grew > 256<<20 {
		t.Fatalf("heap grew by %d MB for three previews of the bomb", grew>>20)
	}
	t.Logf("%d MB upload ×3: %v, heap grew by %d MB", len(body)>>20, codes, grew>>20)
}

// multipartFile is a form with one file, built outside the measured code.
func multipartFile(name string, content []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestPreviewsAreLimited: with every reading slot taken, a preview (and an
// upload) is answered 503 with Retry-After, and works again once one frees.
func TestPreviewsAreLimited(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.ReadSlotWait = time.Millisecond }})
	sup := h.tokens[store.RoleSupervisor]
	camp := h.campaign("并发")
	file := []byte("姓名,手机\n张伟,13800138000\n")
	for range cap(h.srv.readers) {
		h.srv.readers <- struct{}{}
	}
	for _, path := range []string{"imports/preview", "imports"} {
		rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/%s", camp.ID, path), sup, "a.csv", file, nil)
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%s while busy: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	<-h.srv.readers
	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), sup, "a.csv", file, nil)
	if rec.Code != 200 {
		t.Fatalf("preview after a slot freed: %d %s", rec.Code, rec.Body.String())
	}
}

// TestImportAmplification replays hole 13: a CSV with a million columns
// gave a 91 MB preview and a contact with 999,998 attributes. Columns are
// limited with an error naming the limit, in the preview and the upload;
// the ingest API limits attributes per contact.
func TestImportAmplification(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.MaxUploadBytes = 16 << 20 }})
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("放大")
	wide := []byte("姓名,手机" + strings.Repeat(",c", 999998) + "\n张伟,13800138000" + strings.Repeat(",1", 999998) + "\n")
	for _, path := range []string{"imports/preview", "imports"} {
		rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/%s", camp.ID, path), admin, "wide.csv", wide, nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "wide.csv has a line longer than 1 MB") {
			t.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body.String())
		}
	}
	cols := []byte("姓名,手机" + strings.Repeat(",c", 300) + "\n")
	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), admin, "cols.csv", cols, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "cols.csv row 1 has 302 columns; the limit is 200") {
		t.Fatalf("300 columns: %d %.300s", rec.Code, rec.Body.String())
	}
	attrs := map[string]string{}
	for i := range 101 {
		attrs[fmt.Sprint("k", i)] = "v"
	}
	job := h.ingest(camp.ID, map[string]any{"phone": "13800138000", "attributes": attrs},
		map[string]any{"phone": "13900139000", "attributes": map[string]string{"备注": strings.Repeat("长", 1001)}})
	if job.Imported != 0 || job.Rejected != 2 || len(job.Errors) != 2 ||
		job.Errors[0].Message != "101 attributes; the limit is 100 per contact (map extra columns to ignore)" ||
		job.Errors[1].Field != "attributes.备注" || job.Errors[1].Message != "1001 characters; the limit is 1000" {
		t.Fatalf("ingest: %+v", job)
	}
}
