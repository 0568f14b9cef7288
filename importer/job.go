package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/bankcc/callcenter/store"
)

// JobStore is what running an import job needs from the store.
type JobStore interface {
	StartImportJob(ctx context.Context, id int64) error
	ImportBatch(ctx context.Context, jobID, campaignID int64, batch []store.Contact, rejected, dupInFile int64) (store.BatchResult, error)
	ImportCancelRequested(ctx context.Context, id int64) (bool, error)
	FinishImportJob(ctx context.Context, id int64, status store.ImportStatus, msg string, errs []store.FieldError) error
}

// BatchSize is the number of rows committed together: big enough for fast
// multi-row inserts, small enough that a cancel stops quickly.
const BatchSize = 2000

// maxReportErrors bounds the errors held in memory for the report file.
const maxReportErrors = 200000

// JobRun imports one source into one campaign as job; it is the one path for
// uploads, watched folders, database pulls and (one batch at a time) the
// ingest API. Rows are judged in order: rejected (validation), duplicate (same
// first phone earlier in the file or already in the campaign), blocked
// (blacklisted phone or ID), else imported.
type JobRun struct {
	Store      JobStore
	JobID      int64
	CampaignID int64
	Mapping    Mapping
	ReportPath string // where the CSV error report is written; "" for none
	Log        *slog.Logger
}

// jobState is what one run accumulates.
type jobState struct {
	seen     phoneSet
	batch    []store.Contact
	rejected int64
	errs     []store.FieldError
	lastRow  int
	batches  int
}

// Run reads src to the end (or until cancelled) and records the outcome on
// the job. It returns an error only when the outcome could not be recorded.
func (j *JobRun) Run(ctx context.Context, src Source) error {
	if err := j.Store.StartImportJob(ctx, j.JobID); err != nil {
		return fmt.Errorf("importer: start job %d: %w", j.JobID, err)
	}
	st := &jobState{seen: phoneSet{}}
	status, msg := j.readAll(ctx, src, st)
	if err := j.writeReport(st.errs); err != nil {
		j.Log.Error("import error report", "job_id", j.JobID, "err", err)
	}
	return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, status, msg, st.errs)
}

func (j *JobRun) readAll(ctx context.Context, src Source, st *jobState) (store.ImportStatus, string) {
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := j.flush(ctx, st); ferr != nil {
				return store.ImportFailed, ferr.Error()
			}
			return store.ImportFailed, fmt.Sprintf("stopped at row %d: %v; %d whole batches (rows up to %d) were committed and stay", st.lastRow+1, err, st.batches, st.lastRow)
		}
		j.take(row, st)
		if len(st.batch) >= BatchSize {
			if err := j.flush(ctx, st); err != nil {
				return store.ImportFailed, err.Error()
			}
			if stop, msg := j.cancelled(ctx, st); stop {
				return store.ImportCancelled, msg
			}
		}
	}
	if err := j.flush(ctx, st); err != nil {
		return store.ImportFailed, err.Error()
	}
	return store.ImportDone, ""
}

// take validates one row and adds it to the batch, or counts it rejected.
func (j *JobRun) take(row Row, st *jobState) {
	cand, errs := j.Mapping.Validate(row)
	j.add(cand, errs, row.Line, st)
}

// RunInputs imports contacts given by the ingest API (row = 1-based index
// in the request), synchronously, with the same rules as a file.
func (j *JobRun) RunInputs(ctx context.Context, inputs []ContactInput) error {
	if err := j.Store.StartImportJob(ctx, j.JobID); err != nil {
		return fmt.Errorf("importer: start job %d: %w", j.JobID, err)
	}
	st := &jobState{seen: phoneSet{}}
	status, msg := store.ImportDone, ""
	for i, in := range inputs {
		cand, errs := ValidateContact(i+1, in)
		j.add(cand, errs, i+1, st)
		if len(st.batch) >= BatchSize {
			if err := j.flush(ctx, st); err != nil {
				status, msg = store.ImportFailed, err.Error()
				break
			}
		}
	}
	if status == store.ImportDone {
		if err := j.flush(ctx, st); err != nil {
			status, msg = store.ImportFailed, err.Error()
		}
	}
	return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, status, msg, st.errs)
}

func (j *JobRun) add(cand *Candidate, errs []FieldError, line int, st *jobState) {
	for _, e := range errs {
		if len(st.errs) < maxReportErrors {
			st.errs = append(st.errs, store.FieldError{Row: e.Row, Field: e.Field, Message: e.Message, Warning: cand != nil})
		}
	}
	if cand == nil {
		st.rejected++
		return
	}
	st.batch = append(st.batch, toContact(cand, j.JobID))
	st.lastRow = line
}

// flush commits the batch. Duplicates within the file are found here (the
// first occurrence wins) so the store only checks against earlier contacts.
func (j *JobRun) flush(ctx context.Context, st *jobState) error {
	if len(st.batch) == 0 && st.rejected == 0 {
		return nil
	}
	keep := st.batch[:0]
	var inFile int64
	for _, c := range st.batch {
		if !st.seen.add(c.Phone) {
			inFile++
			continue
		}
		keep = append(keep, c)
	}
	_, err := j.Store.ImportBatch(ctx, j.JobID, j.CampaignID, keep, st.rejected, inFile)
	if err != nil {
		return fmt.Errorf("batch ending at row %d could not be stored (%v); %d earlier batches were committed and stay", st.lastRow, err, st.batches)
	}
	st.batches++
	st.batch, st.rejected = st.batch[:0], 0
	return nil
}

func (j *JobRun) cancelled(ctx context.Context, st *jobState) (bool, string) {
	stop, err := j.Store.ImportCancelRequested(ctx, j.JobID)
	if err != nil || ctx.Err() != nil || stop {
		return true, fmt.Sprintf("cancelled after row %d; %d whole batches were committed and stay", st.lastRow, st.batches)
	}
	return false, ""
}

func toContact(c *Candidate, jobID int64) store.Contact {
	ct := store.Contact{Name: c.Name, Phone: c.Phones[0], IDNumber: c.IDNumber, CustomerType: c.CustomerType,
		ManagerEmail: c.ManagerEmail, Attributes: c.Attributes, ImportJobID: &jobID}
	if len(c.Phones) > 1 {
		ct.AltPhone = c.Phones[1]
	}
	return ct
}

func (j *JobRun) writeReport(errs []store.FieldError) error {
	if j.ReportPath == "" || len(errs) == 0 {
		return nil
	}
	f, err := os.Create(j.ReportPath)
	if err != nil {
		return err
	}
	// A BOM makes Excel open the UTF-8 report with Chinese text intact.
	if _, err := f.WriteString("\uFEFF"); err != nil {
		f.Close()
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"row", "field", "kind", "message"})
	for _, e := range errs {
		kind := "rejected"
		if e.Warning {
			kind = "warning"
		}
		_ = w.Write([]string{strconv.Itoa(e.Row), e.Field, kind, e.Message})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// phoneSet remembers E.164 numbers compactly: "+8613800138000" is stored
// as the integer 8613800138000, so a million numbers cost tens of MB.
type phoneSet map[uint64]struct{}

// add reports whether p was new.
func (s phoneSet) add(p string) bool {
	n, err := strconv.ParseUint(p[1:], 10, 64)
	if err != nil {
		return true // not E.164 digits; cannot happen for validated phones
	}
	if _, ok := s[n]; ok {
		return false
	}
	s[n] = struct{}{}
	return true
}
