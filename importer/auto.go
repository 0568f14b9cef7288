package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
)

// AutoStore is what automatic imports need from the store.
type AutoStore interface {
	JobStore
	CreateImportJob(ctx context.Context, j *store.ImportJob) error
	GetImportJob(ctx context.Context, id int64) (*store.ImportJob, error)
	ImportCursor(ctx context.Context, source string) (string, error)
	SetImportCursor(ctx context.Context, source, value string) error
}

// DBSource is a database table or query configured by an administrator in
// the configuration file (never sent through the API). Query is run in a
// read-only transaction; when Cursor names a column, Query must take one ?
// parameter (the last value seen) and order by that column, so each pull
// reads only new rows (incremental by id or update time).
type DBSource struct {
	Name       string
	Driver     string // mysql or sqlite
	DSN        string
	Query      string
	Cursor     string // column holding the increasing id or update time; "" = full pull
	CampaignID int64
	Mapping    []byte // optional user mapping JSON
}

// FolderSource is a watched folder: every contact file dropped there is
// imported and moved to done/ or failed/ beside it.
type FolderSource struct {
	Name       string
	Path       string
	CampaignID int64
	Options    Options
	Mapping    []byte
	// Settle is how long a file must stay unmodified before it is taken,
	// so a file still being copied in is not read half-way.
	Settle time.Duration
}

// Puller runs automatic imports.
type Puller struct {
	Store   AutoStore
	DataDir string
	Log     *slog.Logger
}

var sourceNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// PullDB runs one pull of a database source and returns the job.
func (p *Puller) PullDB(ctx context.Context, src DBSource) (*store.ImportJob, error) {
	if !sourceNameRe.MatchString(src.Name) {
		return nil, fmt.Errorf("importer: source name %q: letters, digits, _.- only", src.Name)
	}
	cursor, err := p.Store.ImportCursor(ctx, "db:"+src.Name)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(src.Driver, src.DSN)
	if err != nil {
		return nil, fmt.Errorf("importer: source %s: %w", src.Name, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("importer: source %s: connect: %w", src.Name, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var rows *sql.Rows
	if src.Cursor != "" {
		rows, err = tx.QueryContext(ctx, src.Query, cursorArg(cursor))
	} else {
		rows, err = tx.QueryContext(ctx, src.Query)
	}
	if err != nil {
		return nil, fmt.Errorf("importer: source %s: query: %w", src.Name, err)
	}
	s, err := SQLSource(rows)
	if err != nil {
		return nil, err
	}
	tracked := &cursorSource{Source: s, col: -1}
	if src.Cursor != "" {
		tracked.col = indexOf(s.Header(), src.Cursor)
		if tracked.col < 0 {
			s.Close()
			return nil, fmt.Errorf("importer: source %s: cursor column %q is not in the query's columns %v", src.Name, src.Cursor, s.Header())
		}
	}
	job, err := p.run(ctx, tracked, "database", src.Name, src.CampaignID, src.Mapping)
	if err != nil || job.Status != store.ImportDone || tracked.last == "" {
		return job, err
	}
	return job, p.Store.SetImportCursor(ctx, "db:"+src.Name, tracked.last)
}

// cursorArg passes "" as the lowest value for both numeric and text cursors.
func cursorArg(c string) any {
	if c == "" {
		return 0
	}
	return c
}

// cursorSource remembers the cursor column of the last row read.
type cursorSource struct {
	Source
	col  int
	last string
}

func (c *cursorSource) Next() (Row, error) {
	r, err := c.Source.Next()
	if err == nil && c.col >= 0 && c.col < len(r.Cells) {
		c.last = r.Cells[c.col]
	}
	return r, err
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// run maps, creates the job and imports src.
func (p *Puller) run(ctx context.Context, src Source, kind, name string, campaignID int64, mapping []byte) (*store.ImportJob, error) {
	defer src.Close()
	src, sample := Sample(src, SampleRows)
	m, err := NewSampledMapping(src.Header(), sample, mapping)
	if err == nil {
		err = m.Check()
	}
	job := &store.ImportJob{CampaignID: campaignID, Source: kind, Filename: name}
	if cerr := p.Store.CreateImportJob(ctx, job); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "importer: ")
		_ = p.Store.FinishImportJob(ctx, job.ID, store.ImportFailed, msg, nil)
		return p.Store.GetImportJob(ctx, job.ID)
	}
	report := filepath.Join(p.DataDir, "imports", fmt.Sprintf("import-%d-errors.csv", job.ID))
	_ = os.MkdirAll(filepath.Dir(report), 0o700)
	run := &JobRun{Store: p.Store, JobID: job.ID, CampaignID: campaignID, Mapping: m, ReportPath: report, Log: p.Log}
	if err := run.Run(ctx, src); err != nil {
		return nil, err
	}
	return p.Store.GetImportJob(ctx, job.ID)
}

// contactFileExt are the files a watched folder picks up.
var contactFileExt = map[string]bool{".csv": true, ".txt": true, ".xlsx": true, ".docx": true, ".doc": true}

// ScanFolder imports every settled contact file in the folder, one after
// another, moving each to done/ or failed/ (with its error report).
func (p *Puller) ScanFolder(ctx context.Context, src FolderSource) ([]*store.ImportJob, error) {
	entries, err := os.ReadDir(src.Path)
	if err != nil {
		return nil, fmt.Errorf("importer: folder %s: %w", src.Name, err)
	}
	var jobs []*store.ImportJob
	for _, e := range entries {
		if ctx.Err() != nil {
			break
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || !contactFileExt[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		if time.Since(info.ModTime()) < src.Settle {
			continue // still being written
		}
		job, err := p.importFile(ctx, src, e.Name())
		if err != nil {
			return jobs, err
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

func (p *Puller) importFile(ctx context.Context, src FolderSource, name string) (*store.ImportJob, error) {
	path := filepath.Join(src.Path, name)
	f, err := OpenFile(path, src.Options)
	var job *store.ImportJob
	if err == nil {
		job, err = p.run(ctx, f, "folder", name, src.CampaignID, src.Mapping)
		if err != nil {
			return nil, err
		}
	} else {
		job = &store.ImportJob{CampaignID: src.CampaignID, Source: "folder", Filename: name}
		if cerr := p.Store.CreateImportJob(ctx, job); cerr != nil {
			return nil, cerr
		}
		_ = p.Store.FinishImportJob(ctx, job.ID, store.ImportFailed, "cannot read the file: "+strings.TrimPrefix(err.Error(), "importer: "), nil)
		if job, err = p.Store.GetImportJob(ctx, job.ID); err != nil {
			return nil, err
		}
	}
	dest := "done"
	if job.Status != store.ImportDone {
		dest = "failed"
	}
	return job, moveInto(path, filepath.Join(src.Path, dest), job.ID)
}

// moveInto moves a processed file into dir, prefixed with its job id so a
// file of the same name dropped again never overwrites the earlier one.
func moveInto(path, dir string, jobID int64) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	target := filepath.Join(dir, fmt.Sprintf("%d-%s", jobID, filepath.Base(path)))
	if err := os.Rename(path, target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("importer: move %s: %w", filepath.Base(path), err)
	}
	return nil
}
