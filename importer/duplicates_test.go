package importer_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestDuplicatesAreListedWithWhatTheyRepeat: every duplicate of an import
// is in the job's errors and errors.csv with its row and what it repeats,
// an earlier row (also across batches) or a contact already in the campaign.
func TestDuplicatesAreListedWithWhatTheyRepeat(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		camp := newCampaign(t, st, "重复行")
		held := runInputs(t, st, camp.ID, importer.ContactInput{Name: "老客户", Phone: "13900139000"})

		var b strings.Builder
		b.WriteString("姓名,手机\n")
		fmt.Fprintf(&b, "张伟,13800138000\n")     // row 2
		fmt.Fprintf(&b, "老客户,139 0013 9000\n")  // row 3: in the campaign already
		fmt.Fprintf(&b, "张伟2,+8613800138000\n") // row 4: repeats row 2
		fmt.Fprintf(&b, "坏号码,12345\n")          // row 5: rejected
		for i := 0; i < importer.BatchSize; i++ {
			fmt.Fprintf(&b, "客户%d,137%08d\n", i, i) // rows 6..2005
		}
		fmt.Fprintf(&b, "张伟3,13800138000\n") // row 2006, a later batch: repeats row 2
		path := filepath.Join(t.TempDir(), "dups.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		src, err := importer.OpenFile(path, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		m, _ := importer.NewMapping(src.Header(), nil)
		job := &store.ImportJob{CampaignID: camp.ID, Source: "upload"}
		if err := st.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		report := filepath.Join(t.TempDir(), "errors.csv")
		run := &importer.JobRun{Store: st, JobID: job.ID, CampaignID: camp.ID, Mapping: m, ReportPath: report, Log: slog.New(slog.DiscardHandler)}
		if err := run.Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetImportJob(ctx, job.ID)
		if got.Duplicates != 3 || got.Rejected != 1 || got.Imported != 1+importer.BatchSize {
			t.Fatalf("counts: %+v", got)
		}
		want := []struct {
			row, ofRow int
			ofContact  int64
		}{{3, 0, held}, {4, 2, 0}, {5, 0, 0}, {2006, 2, 0}}
		if len(got.Errors) != len(want) {
			t.Fatalf("errors %+v", got.Errors)
		}
		for i, w := range want {
			e := got.Errors[i]
			if e.Row != w.row || e.DuplicateOf.Row != w.ofRow || e.DuplicateOf.ContactID != w.ofContact || e.Message == "" {
				t.Errorf("error %d = %+v, want row %d duplicate of row %d / contact %d", i, e, w.row, w.ofRow, w.ofContact)
			}
		}

		f, err := os.Open(report)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil || len(recs) != 5 {
			t.Fatalf("report %q %v", recs, err)
		}
		if r := recs[1]; r[0] != "3" || r[2] != "duplicate" || r[4] != "" || r[5] != fmt.Sprint(held) {
			t.Errorf("report row for a campaign duplicate: %q", r)
		}
		if r := recs[2]; r[0] != "4" || r[2] != "duplicate" || r[4] != "2" || r[5] != "" {
			t.Errorf("report row for a file duplicate: %q", r)
		}
		if r := recs[3]; r[0] != "5" || r[2] != "rejected" {
			t.Errorf("report row for a rejected row: %q", r)
		}
		if r := recs[4]; r[0] != "2006" || r[4] != "2" {
			t.Errorf("report row for a duplicate across batches: %q", r)
		}
	})
}

// runInputs imports contacts through the ingest path and returns the id of the first.
func runInputs(t *testing.T, st *store.Store, campID int64, in ...importer.ContactInput) int64 {
	t.Helper()
	ctx := context.Background()
	job := &store.ImportJob{CampaignID: campID, Source: "api"}
	if err := st.CreateImportJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	run := &importer.JobRun{Store: st, JobID: job.ID, CampaignID: campID, Log: slog.New(slog.DiscardHandler)}
	if err := run.RunInputs(ctx, in); err != nil {
		t.Fatal(err)
	}
	cs, _, err := st.ListContacts(ctx, store.ContactFilter{CampaignID: campID})
	if err != nil || len(cs) == 0 {
		t.Fatalf("contacts %v %v", cs, err)
	}
	return cs[0].ID
}
