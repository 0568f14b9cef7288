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
	ImportBatchRows(ctx context.Context, jobID, campaignID int64, rows store.RowRange, batch []store.Contact, rejected, dupInFile int64) (store.BatchResult, error)
	ImportCancelRequested(ctx context.Context, id int64) (bool, error)
	FinishImportJob(ctx context.Context, id int64, status store.ImportStatus, msg string, errs []store.FieldError) error
	AddSensitiveAttributes(ctx context.Context, campaignID int64, keys []string) error
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
	// Writers is how many batches are stored at once (default 2): the
	// database works on one batch while the next is read and validated.
	Writers int
	// Skip lists the rows committed by an earlier, interrupted run of the
	// same job (sorted): a resume reads past them without storing them again.
	Skip []store.RowRange
	// Status is the outcome once Run has returned.
	Status store.ImportStatus
}

// jobState is what one run accumulates.
type jobState struct {
	seen     phoneRows
	batch    []store.Contact
	rows     []int // the file row of each contact of batch
	rejected int64
	errs     []store.FieldError
	lastRow  int
	span     store.RowRange // file rows of the batch being filled
	skip     []store.RowRange
	writer   *batchWriter
}

func (j *JobRun) newState(ctx context.Context) *jobState {
	return &jobState{seen: phoneRows{}, writer: j.newWriter(ctx)}
}

// Run reads src to the end (or until cancelled) and records the outcome on
// the job. It returns an error only when the outcome could not be recorded.
func (j *JobRun) Run(ctx context.Context, src Source) error {
	if err := j.Store.StartImportJob(ctx, j.JobID); err != nil {
		return fmt.Errorf("importer: start job %d: %w", j.JobID, err)
	}
	if err := j.markSensitive(ctx, j.Mapping.SensitiveAttributes()); err != nil {
		return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, store.ImportFailed, err.Error(), nil)
	}
	st := j.newState(ctx)
	st.skip = j.Skip
	status, msg := j.readAll(ctx, src, st)
	errs := st.report()
	if err := j.writeReport(errs); err != nil {
		j.Log.Error("import error report", "job_id", j.JobID, "err", err)
	}
	j.Status = status
	return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, status, msg, errs)
}

func (j *JobRun) readAll(ctx context.Context, src Source, st *jobState) (store.ImportStatus, string) {
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ferr := j.flush(ctx, st)
			n, werr := st.writer.close()
			if werr = errors.Join(ferr, werr); werr != nil {
				return store.ImportFailed, werr.Error()
			}
			return store.ImportFailed, fmt.Sprintf("stopped at row %d: %v; the %d whole batches read before (rows up to %d) were committed and stay", st.lastRow+1, err, n, st.lastRow)
		}
		j.take(row, st)
		if len(st.batch) >= BatchSize {
			if err := j.flush(ctx, st); err != nil {
				break
			}
			if j.cancelled(ctx) {
				n, _ := st.writer.close()
				if ctx.Err() != nil { // shutdown, not a user's cancel: resumable
					return store.ImportFailed, fmt.Sprintf("%s after row %d; %d whole batches were committed and stay; resume it or cancel it", store.InterruptedMessage, st.lastRow, n)
				}
				return store.ImportCancelled, fmt.Sprintf("cancelled after row %d; %d whole batches were committed and stay", st.lastRow, n)
			}
		}
	}
	ferr := j.flush(ctx, st)
	if n, err := st.writer.close(); errors.Join(ferr, err) != nil {
		if ctx.Err() != nil {
			return store.ImportFailed, fmt.Sprintf("%s after row %d; %d whole batches were committed and stay; resume it or cancel it", store.InterruptedMessage, st.lastRow, n)
		}
		return store.ImportFailed, fmt.Sprintf("%v; %d whole batches were committed and stay", errors.Join(ferr, err), n)
	}
	return store.ImportDone, ""
}

// take validates one row and adds it to the batch, or counts it rejected.
// A row an interrupted run already committed only gives back its errors
// for the report.
func (j *JobRun) take(row Row, st *jobState) {
	cand, errs := j.Mapping.Validate(row)
	if st.skipped(row.Line) {
		st.note(errs, cand != nil)
		st.seenCommitted(cand, row.Line)
		return
	}
	if st.span.First == 0 {
		st.span.First = row.Line
	}
	st.span.Last = row.Line
	j.add(cand, errs, row.Line, st)
}

// seenCommitted remembers the phone of a row an earlier run committed, so
// later rows repeating it are still duplicates, and lists the row again in
// the report when it repeated an earlier row itself (the earlier run's
// report was lost with it; its counts were committed with the batch).
func (st *jobState) seenCommitted(cand *Candidate, line int) {
	if cand == nil {
		return
	}
	if first, isNew := st.seen.add(cand.Phones[0], line); !isNew && len(st.errs) < maxReportErrors {
		st.errs = append(st.errs, duplicate{row: int32(line), ofRow: int32(first)}.fieldError())
	}
}

// skipped reports whether line was committed by an earlier run; lines come
// in increasing order, so passed ranges are dropped.
func (st *jobState) skipped(line int) bool {
	for len(st.skip) > 0 && st.skip[0].Last < line {
		st.skip = st.skip[1:]
	}
	return len(st.skip) > 0 && st.skip[0].First <= line
}

func (st *jobState) note(errs []FieldError, warning bool) {
	for _, e := range errs {
		if len(st.errs) < maxReportErrors {
			st.errs = append(st.errs, store.FieldError{Row: e.Row, Field: e.Field, Message: e.Message, Warning: warning})
		}
	}
}

// RunInputs imports contacts given by the ingest API (row = 1-based index
// in the request), synchronously, with the same rules as a file.
func (j *JobRun) RunInputs(ctx context.Context, inputs []ContactInput) error {
	if err := j.Store.StartImportJob(ctx, j.JobID); err != nil {
		return fmt.Errorf("importer: start job %d: %w", j.JobID, err)
	}
	if err := j.markSensitive(ctx, SensitiveInputs(inputs)); err != nil {
		return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, store.ImportFailed, err.Error(), nil)
	}
	st := j.newState(ctx)
	var ferr error
	for i, in := range inputs {
		cand, errs := ValidateContact(i+1, in)
		j.add(cand, errs, i+1, st)
		if len(st.batch) >= BatchSize {
			if ferr = j.flush(ctx, st); ferr != nil {
				break
			}
		}
	}
	if ferr == nil {
		ferr = j.flush(ctx, st)
	}
	status, msg := store.ImportDone, ""
	if n, err := st.writer.close(); errors.Join(ferr, err) != nil {
		status, msg = store.ImportFailed, fmt.Sprintf("%v; %d whole batches were committed and stay", errors.Join(ferr, err), n)
	}
	j.Status = status
	return j.Store.FinishImportJob(context.WithoutCancel(ctx), j.JobID, status, msg, st.report())
}

// markSensitive records the campaign's sensitive attributes before any
// contact is stored, so none is ever shown unmasked.
func (j *JobRun) markSensitive(ctx context.Context, keys []string) error {
	if err := j.Store.AddSensitiveAttributes(ctx, j.CampaignID, keys); err != nil {
		return fmt.Errorf("could not record the sensitive columns %v: %w", keys, err)
	}
	return nil
}

func (j *JobRun) add(cand *Candidate, errs []FieldError, line int, st *jobState) {
	st.note(errs, cand != nil)
	if cand == nil {
		st.rejected++
		return
	}
	st.batch = append(st.batch, toContact(cand, j.JobID))
	st.rows = append(st.rows, line)
	st.lastRow = line
}

// flush hands the batch to the writers. Duplicates within the file are
// found here, in file order (the first occurrence wins), so the store only
// checks against contacts stored before. Each is reported with the row it
// repeats once its batch is committed.
func (j *JobRun) flush(ctx context.Context, st *jobState) error {
	if len(st.batch) == 0 && st.rejected == 0 {
		return nil
	}
	t := writeTask{batch: make([]store.Contact, 0, len(st.batch)), rows: make([]int, 0, len(st.batch)),
		rejected: st.rejected, lastRow: st.lastRow}
	for i, c := range st.batch {
		row := st.rows[i]
		if first, ok := st.seen.add(c.Phone, row); !ok {
			t.dup++
			t.dups = append(t.dups, duplicate{row: int32(row), ofRow: int32(first)})
			continue
		}
		t.batch = append(t.batch, c)
		t.rows = append(t.rows, row)
	}
	t.span = st.span
	err := st.writer.send(ctx, t)
	st.batch, st.rows, st.rejected, st.span = st.batch[:0], st.rows[:0], 0, store.RowRange{}
	return err
}

func (j *JobRun) cancelled(ctx context.Context) bool {
	stop, err := j.Store.ImportCancelRequested(ctx, j.JobID)
	return err != nil || ctx.Err() != nil || stop
}

func toContact(c *Candidate, jobID int64) store.Contact {
	ct := store.Contact{Name: c.Name, Phone: c.Phones[0], IDNumber: c.IDNumber, CustomerType: c.CustomerType,
		ManagerEmail: c.ManagerEmail, Email: c.Email, Attributes: c.Attributes, ImportJobID: &jobID}
	if len(c.Phones) > 1 {
		ct.AltPhone = c.Phones[1]
	}
	return ct
}

func (j *JobRun) writeReport(errs []store.FieldError) error {
	if j.ReportPath == "" || len(errs) == 0 {
		return nil
	}
	f, err := os.OpenFile(j.ReportPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600) // customer data: owner only
	if err != nil {
		return err
	}
	// A BOM makes Excel open the UTF-8 report with Chinese text intact.
	if _, err := f.WriteString("\uFEFF"); err != nil {
		f.Close()
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"row", "field", "kind", "message", "duplicate_of_row", "duplicate_of_contact_id"})
	for _, e := range errs {
		kind, ofRow, ofContact := "rejected", "", ""
		switch {
		case e.IsDuplicate():
			kind = "duplicate"
			if e.DuplicateOf.Row != 0 {
				ofRow = strconv.Itoa(e.DuplicateOf.Row)
			}
			if e.DuplicateOf.ContactID != 0 {
				ofContact = strconv.FormatInt(e.DuplicateOf.ContactID, 10)
			}
		case e.Warning:
			kind = "warning"
		}
		_ = w.Write([]string{strconv.Itoa(e.Row), e.Field, kind, e.Message, ofRow, ofContact})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
