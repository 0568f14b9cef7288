package importer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// failingStore is the real store whose third batch fails, as a database
// that goes away mid-import would.
type failingStore struct {
	*store.Store
	calls atomic.Int32
}

func (f *failingStore) ImportBatchRows(ctx context.Context, jobID, campaignID int64, rows store.RowRange, batch []store.Contact, rejected, dup int64) (store.BatchResult, error) {
	if f.calls.Add(1) == 3 {
		return store.BatchResult{}, errors.New("connection reset by peer")
	}
	return f.Store.ImportBatchRows(ctx, jobID, campaignID, rows, batch, rejected, dup)
}

// TestHalfFailedImportStaysConsistent: a batch fails mid-file; the job says
// so, and the campaign holds exactly the whole batches the job counts, on
// both databases.
func TestHalfFailedImportStaysConsistent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		camp := newCampaign(t, st, "中断导入")
		var b strings.Builder
		b.WriteString("姓名,手机\n")
		for i := 0; i < 12000; i++ {
			fmt.Fprintf(&b, "客户%d,138%08d\n", i, i)
		}
		path := filepath.Join(t.TempDir(), "big.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
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
		fs := &failingStore{Store: st}
		run := &importer.JobRun{Store: fs, JobID: job.ID, CampaignID: camp.ID, Mapping: m, Log: slog.New(slog.DiscardHandler)}
		if err := run.Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetImportJob(ctx, job.ID)
		counts, _ := st.CountContactsByStatus(ctx, camp.ID)
		if got.Status != store.ImportFailed || !strings.Contains(got.Message, "connection reset") || !strings.Contains(got.Message, "whole batches were committed") {
			t.Fatalf("job %s: %q", got.Status, got.Message)
		}
		if got.Imported%importer.BatchSize != 0 || got.Imported >= 12000 || counts[store.ContactPending] != got.Imported || got.Batches != got.Imported/importer.BatchSize {
			t.Fatalf("inconsistent: job imported %d in %d batches, campaign holds %d", got.Imported, got.Batches, counts[store.ContactPending])
		}
	})
}
