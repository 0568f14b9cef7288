package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestImportJobLongNames: a 5,000-character file name (and sheet name, and
// a long multi-byte message) made MariaDB refuse the row and the API answer
// 500; they are stored shortened on a character boundary.
func TestImportJobLongNames(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		camp := &store.Campaign{Name: "长名", Kind: store.KindSurvey, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 3}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "upload", Filename: strings.Repeat("名", 5000) + ".xlsx",
			Sheet: strings.Repeat("表", 200), Format: strings.Repeat("x", 40)}
		if err := s.CreateImportJob(ctx, job); err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := s.FinishImportJob(ctx, job.ID, store.ImportFailed, "x"+strings.Repeat("错", 2000), nil); err != nil {
			t.Fatalf("finish: %v", err)
		}
		got, err := s.GetImportJob(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		for what, v := range map[string]string{"filename": got.Filename, "sheet": got.Sheet, "message": got.Message} {
			if !utf8.ValidString(v) || v == "" {
				t.Errorf("%s stored as %q", what, v)
			}
		}
		if len(got.Filename) > 255 || len(got.Message) > 1024 || !strings.HasPrefix(got.Filename, "名名") {
			t.Errorf("filename %d bytes, message %d bytes", len(got.Filename), len(got.Message))
		}
	})
}

// TestSQLiteFileOwnerOnly: the embedded database holds every customer's
// identifiers; it and its folder are created for the owner only.
func TestSQLiteFileOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "cc.db")
	s, err := store.Open(context.Background(), store.Config{DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %v", p, st.Mode().Perm(), err, want)
		}
	}
}
