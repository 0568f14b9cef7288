package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ImportStatus is where an import job is.
type ImportStatus string

const (
	ImportQueued    ImportStatus = "queued"
	ImportRunning   ImportStatus = "running"
	ImportDone      ImportStatus = "done"
	ImportFailed    ImportStatus = "failed"
	ImportCancelled ImportStatus = "cancelled"
)

// MaxStoredImportErrors bounds the errors kept on the job row; the full list
// is in the downloadable error report.
const MaxStoredImportErrors = 1000

// ImportJob is one import of contacts into a campaign, from a file, the
// ingest API, a watched folder or a database source. Counters only ever
// include whole committed batches, so they always match the contacts table.
type ImportJob struct {
	ID          int64        `gorm:"primaryKey" json:"id"`
	CampaignID  int64        `gorm:"index;not null" json:"campaign_id"`
	Source      string       `gorm:"type:varchar(16);not null" json:"source"` // upload, api, folder, database
	Filename    string       `gorm:"type:varchar(255)" json:"filename"`
	Format      string       `gorm:"type:varchar(16)" json:"format"`
	SHA256      string       `gorm:"type:varchar(64);index" json:"sha256,omitempty"`
	Size        int64        `json:"size"`
	Encoding    string       `gorm:"type:varchar(16)" json:"encoding,omitempty"`
	Sheet       string       `gorm:"type:varchar(128)" json:"sheet,omitempty"`
	MappingJSON string       `gorm:"column:mapping;type:text" json:"-"`
	Status      ImportStatus `gorm:"type:varchar(16);index;not null" json:"status"`
	Total       int64        `json:"total"`
	Imported    int64        `json:"imported"`
	Duplicates  int64        `json:"duplicates"`
	Blocked     int64        `json:"blocked"`
	Rejected    int64        `json:"rejected"`
	Batches     int64        `json:"batches_committed"`
	ErrorsJSON  string       `gorm:"column:errors;type:mediumtext" json:"-"`
	Errors      []FieldError `gorm:"-" json:"errors"`
	Message     string       `gorm:"type:varchar(1024)" json:"message,omitempty"`
	DuplicateOf *int64       `json:"duplicate_of,omitempty"` // an earlier job with the same file
	Cancel      bool         `gorm:"column:cancel_requested" json:"cancel_requested"`
	// Owner is the process running (or queueing) the job, HeartbeatAt its
	// last sign of life: a job whose owner went silent is marked failed.
	Owner       string     `gorm:"type:varchar(96)" json:"-"`
	HeartbeatAt *time.Time `json:"heartbeat_at,omitempty"`
	// FilePath is the kept upload while the job may still be resumed.
	FilePath   string     `gorm:"type:varchar(1024)" json:"-"`
	Resumable  bool       `gorm:"-" json:"resumable"`
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

func (j *ImportJob) decode() {
	j.Resumable = j.Status == ImportFailed && j.FilePath != ""
	j.Errors = []FieldError{}
	if j.ErrorsJSON != "" {
		_ = json.Unmarshal([]byte(j.ErrorsJSON), &j.Errors)
	}
}

// CreateImportJob records a queued job. If a finished job of the same
// campaign had the same file hash, DuplicateOf points at it.
func (s *Store) CreateImportJob(ctx context.Context, j *ImportJob) error {
	j.Status = ImportQueued
	// Names come from clients and file systems: fit them to their columns
	// rather than fail (MariaDB refuses an over-long value).
	j.Filename, j.Sheet = clip(j.Filename, 255), clip(j.Sheet, 128)
	j.Format, j.Encoding, j.Source = clip(j.Format, 16), clip(j.Encoding, 16), clip(j.Source, 16)
	now := s.now()
	j.Owner, j.HeartbeatAt = s.instance, &now
	if j.SHA256 != "" {
		var prev ImportJob
		err := s.conn(ctx).Where("campaign_id = ? AND sha256 = ? AND status IN ?", j.CampaignID, j.SHA256,
			[]ImportStatus{ImportDone, ImportRunning, ImportQueued}).Order("id").First(&prev).Error
		if err == nil {
			j.DuplicateOf = &prev.ID
		}
	}
	if err := s.conn(ctx).Create(j).Error; err != nil {
		return fmt.Errorf("store: create import job: %w", err)
	}
	return nil
}

// GetImportJob loads a job with its stored errors.
func (s *Store) GetImportJob(ctx context.Context, id int64) (*ImportJob, error) {
	var j ImportJob
	if err := s.conn(ctx).First(&j, id).Error; err != nil {
		return nil, fmt.Errorf("store: import job %d: %w", id, translate(err))
	}
	j.decode()
	return &j, nil
}

// ListImportJobs lists a campaign's jobs, newest first, without error lists.
func (s *Store) ListImportJobs(ctx context.Context, campaignID int64, p Page) ([]ImportJob, int64, error) {
	q := s.conn(ctx).Model(&ImportJob{}).Where("campaign_id = ?", campaignID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []ImportJob
	err := p.apply(q).Omit("errors").Order("id DESC").Find(&out).Error
	for i := range out {
		out[i].decode()
	}
	return out, total, err
}

// StartImportJob marks a job running, owned by this process.
func (s *Store) StartImportJob(ctx context.Context, id int64) error {
	now := s.now()
	return s.conn(ctx).Model(&ImportJob{}).Where("id = ?", id).Updates(map[string]any{"status": ImportRunning, "started_at": now,
		"owner": s.instance, "heartbeat_at": now}).Error
}

// RequestImportCancel asks a running job to stop after its current batch.
func (s *Store) RequestImportCancel(ctx context.Context, id int64) error {
	res := s.conn(ctx).Model(&ImportJob{}).Where("id = ? AND status IN ?", id, []ImportStatus{ImportQueued, ImportRunning}).Update("cancel_requested", true)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: import job %d is not running: %w", id, ErrConflict)
	}
	return nil
}

// ImportCancelRequested tells the runner whether to stop.
func (s *Store) ImportCancelRequested(ctx context.Context, id int64) (bool, error) {
	var j ImportJob
	err := s.conn(ctx).Select("cancel_requested").First(&j, id).Error
	return j.Cancel, err
}

// FinishImportJob records the end state, message and the rejected rows'
// errors (the first MaxStoredImportErrors).
func (s *Store) FinishImportJob(ctx context.Context, id int64, status ImportStatus, msg string, errs []FieldError) error {
	if len(errs) > MaxStoredImportErrors {
		errs = errs[:MaxStoredImportErrors]
	}
	b, _ := json.Marshal(errs)
	now := s.now()
	set := map[string]any{"status": status, "message": clip(msg, 1024), "errors": string(b), "finished_at": now}
	if status != ImportFailed {
		set["file_path"] = "" // only a failed job keeps its file, to be resumed
	}
	return s.conn(ctx).Model(&ImportJob{}).Where("id = ?", id).Updates(set).Error
}

// BatchResult tells what happened to each contact of a batch.
type BatchResult struct {
	Imported, Duplicates, Blocked int64
	// Duplicate lists the contacts of the batch not stored because their
	// first phone was taken, in batch order (the repeats the caller dropped
	// itself are not in it).
	Duplicate []BatchDuplicate
}

// BatchDuplicate is a contact of a batch whose first phone the campaign
// already had (ContactID) or an earlier contact of the batch had (OfIndex).
type BatchDuplicate struct {
	Index     int   // the contact's position in the batch
	ContactID int64 // the contact already holding the phone; 0 for a repeat within the batch
	OfIndex   int   // the earlier contact of the batch it repeats; -1 when none
}

// ImportBatch stores one batch of validated contacts of a job in one
// transaction, together with the job's counters, so that a crash or a cancel
// leaves whole batches only. rejected counts the rows of this batch that
// failed validation (not stored). Contacts whose first phone already exists
// in the campaign are duplicates; contacts with a blacklisted phone or ID
// number are stored in the blocked group. dupInFile counts duplicates the
// caller already dropped (repeats within the same file).
func (s *Store) ImportBatch(ctx context.Context, jobID, campaignID int64, batch []Contact, rejected, dupInFile int64) (BatchResult, error) {
	return s.ImportBatchRows(ctx, jobID, campaignID, RowRange{}, batch, rejected, dupInFile)
}

// ImportBatchRows is ImportBatch that also records, in the same
// transaction, which file rows the batch covered, so a resumed job skips
// exactly the rows already committed.
func (s *Store) ImportBatchRows(ctx context.Context, jobID, campaignID int64, rows RowRange, batch []Contact, rejected, dupInFile int64) (BatchResult, error) {
	r := BatchResult{Duplicates: dupInFile}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		fresh, at, err := s.dropExisting(tx, campaignID, batch, &r)
		if err != nil {
			return err
		}
		for i := range fresh {
			fresh[i].ImportJobID = &jobID
		}
		if err := s.markBlocked(ctx, fresh, &r); err != nil {
			return err
		}
		if len(fresh) > 0 {
			inserted, err := s.insertContacts(tx, fresh)
			if err != nil {
				return err
			}
			if lost := int64(len(fresh)) - inserted; lost > 0 {
				// A concurrent import took some phones meanwhile.
				if err := s.findTaken(tx, campaignID, jobID, fresh, at, &r); err != nil {
					return err
				}
				r.Duplicates += lost
			}
			r.Imported = inserted - r.Blocked
			if r.Imported < 0 {
				r.Blocked += r.Imported
				r.Imported = 0
			}
		}
		if rows.Last > 0 {
			if err := tx.Create(&ImportBatchMark{JobID: jobID, FirstRow: rows.First, LastRow: rows.Last}).Error; err != nil {
				return fmt.Errorf("store: mark batch: %w", err)
			}
		}
		return tx.Model(&ImportJob{}).Where("id = ?", jobID).Updates(map[string]any{
			"heartbeat_at": s.now(),
			"total":        gorm.Expr("total + ?", int64(len(batch))+rejected+dupInFile),
			"imported":     gorm.Expr("imported + ?", r.Imported),
			"duplicates":   gorm.Expr("duplicates + ?", r.Duplicates),
			"blocked":      gorm.Expr("blocked + ?", r.Blocked),
			"rejected":     gorm.Expr("rejected + ?", rejected),
			"batches":      gorm.Expr("batches + 1"),
		}).Error
	})
	slices.SortFunc(r.Duplicate, func(a, b BatchDuplicate) int { return a.Index - b.Index })
	return r, err
}

// ContactIDsByPhone maps those of the given first phones that a campaign
// already holds to the contacts holding them.
func (s *Store) ContactIDsByPhone(ctx context.Context, campaignID int64, phones []string) (map[string]int64, error) {
	return contactIDsByPhone(s.conn(ctx), campaignID, phones)
}

func contactIDsByPhone(db *gorm.DB, campaignID int64, phones []string) (map[string]int64, error) {
	var have []struct {
		ID    int64
		Phone string
	}
	if err := db.Model(&Contact{}).Select("id, phone").Where("campaign_id = ? AND phone IN ?", campaignID, phones).Scan(&have).Error; err != nil {
		return nil, fmt.Errorf("store: find existing phones: %w", err)
	}
	out := make(map[string]int64, len(have))
	for _, h := range have {
		out[h.Phone] = h.ID
	}
	return out, nil
}

// dropExisting removes from the batch the contacts whose phone the campaign
// (or an earlier contact of the batch) already has, counting and listing
// them as duplicates. at maps each fresh contact to its index in the batch.
func (s *Store) dropExisting(tx *gorm.DB, campaignID int64, batch []Contact, r *BatchResult) (fresh []Contact, at []int, err error) {
	phones := make([]string, len(batch))
	for i, c := range batch {
		phones[i] = c.Phone
	}
	exists, err := contactIDsByPhone(tx, campaignID, phones)
	if err != nil {
		return nil, nil, err
	}
	first := make(map[string]int, len(batch))
	fresh = make([]Contact, 0, len(batch))
	at = make([]int, 0, len(batch))
	for i := range batch {
		p := batch[i].Phone
		if id, ok := exists[p]; ok {
			r.Duplicates++
			r.Duplicate = append(r.Duplicate, BatchDuplicate{Index: i, ContactID: id, OfIndex: -1})
			continue
		}
		if j, ok := first[p]; ok {
			r.Duplicates++
			r.Duplicate = append(r.Duplicate, BatchDuplicate{Index: i, OfIndex: j})
			continue
		}
		first[p] = i
		batch[i].CampaignID = campaignID
		if batch[i].Status == "" {
			batch[i].Status = ContactPending
		}
		batch[i].encode()
		fresh = append(fresh, batch[i])
		at = append(at, i)
	}
	return fresh, at, nil
}

// findTaken lists the fresh contacts a concurrent import stored first: their
// phone now belongs to a contact of another job.
func (s *Store) findTaken(tx *gorm.DB, campaignID, jobID int64, fresh []Contact, at []int, r *BatchResult) error {
	phones := make([]string, len(fresh))
	for i, c := range fresh {
		phones[i] = c.Phone
	}
	var taken []struct {
		ID    int64
		Phone string
	}
	err := tx.Model(&Contact{}).Select("id, phone").
		Where("campaign_id = ? AND phone IN ? AND (import_job_id IS NULL OR import_job_id <> ?)", campaignID, phones, jobID).Scan(&taken).Error
	if err != nil {
		return fmt.Errorf("store: find phones taken meanwhile: %w", err)
	}
	byPhone := make(map[string]int64, len(taken))
	for _, t := range taken {
		byPhone[t.Phone] = t.ID
	}
	for i, c := range fresh {
		if id, ok := byPhone[c.Phone]; ok {
			r.Duplicate = append(r.Duplicate, BatchDuplicate{Index: at[i], ContactID: id, OfIndex: -1})
		}
	}
	return nil
}

// markBlocked puts contacts with a blacklisted phone or ID into the blocked group.
func (s *Store) markBlocked(ctx context.Context, batch []Contact, r *BatchResult) error {
	var phones, ids []string
	for _, c := range batch {
		phones = append(phones, c.Phone)
		if c.AltPhone != "" {
			phones = append(phones, c.AltPhone)
		}
		if c.IDNumber != "" {
			ids = append(ids, c.IDNumber)
		}
	}
	hit, err := s.BlockedValues(ctx, phones, ids)
	if err != nil {
		return err
	}
	for i := range batch {
		c := &batch[i]
		if hit[c.Phone] || (c.AltPhone != "" && hit[c.AltPhone]) || (c.IDNumber != "" && hit[c.IDNumber]) {
			c.Status, c.BlockReason = ContactBlocked, blockReasonDNC
			r.Blocked++
		}
	}
	return nil
}

// MappingTemplate is a saved column mapping, reused for files from the same
// business system.
type MappingTemplate struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	Mapping   string    `gorm:"type:text;not null" json:"mapping"` // JSON {"header or column index":"field"}
	Encoding  string    `gorm:"type:varchar(16)" json:"encoding"`
	Sheet     string    `gorm:"type:varchar(128)" json:"sheet"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateMappingTemplate saves a mapping template.
func (s *Store) CreateMappingTemplate(ctx context.Context, t *MappingTemplate) error {
	if err := s.conn(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("store: create mapping template %q: %w", t.Name, translate(err))
	}
	return nil
}

// ListMappingTemplates lists saved mapping templates by name.
func (s *Store) ListMappingTemplates(ctx context.Context) ([]MappingTemplate, error) {
	var out []MappingTemplate
	err := s.conn(ctx).Order("name").Find(&out).Error
	return out, err
}

// GetMappingTemplate loads one template.
func (s *Store) GetMappingTemplate(ctx context.Context, id int64) (*MappingTemplate, error) {
	var t MappingTemplate
	if err := s.conn(ctx).First(&t, id).Error; err != nil {
		return nil, fmt.Errorf("store: mapping template %d: %w", id, translate(err))
	}
	return &t, nil
}

// DeleteMappingTemplate removes one template.
func (s *Store) DeleteMappingTemplate(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&MappingTemplate{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("store: mapping template %d: %w", id, ErrNotFound)
	}
	return res.Error
}

// insertChunk is how many rows go in one INSERT: SQLite caps the number of
// bound variables per statement (32766), MySQL only the packet size.
func (s *Store) insertChunk() int {
	if s.driver == "mysql" {
		return 2000
	}
	return 1000
}

// contactInsertCols are the columns an import fills.
const contactInsertCols = "campaign_id, name, phone, alt_phone, id_number, customer_type, manager_email, email, attributes, " +
	"status, block_reason, attempts, phone_attempts, alt_attempts, import_job_id, created_at, updated_at"

// insertContacts writes new contacts with plain multi-row INSERTs. It is the
// import's hot path, so it skips the ORM's per-row reflection; a phone that
// a concurrent import stored meanwhile is skipped, not an error.
func (s *Store) insertContacts(tx *gorm.DB, rows []Contact) (int64, error) {
	if s.driver == "mysql" && s.bulkLoad.Load() {
		n, ok, err := s.loadContacts(tx, rows)
		if ok {
			return n, err
		}
		s.bulkLoad.Store(false) // the server refuses local loads: INSERTs from now on
		s.log.Warn("MySQL refuses LOAD DATA LOCAL (local_infile=OFF); imports use INSERT, which is slower")
	}
	conflict := " ON CONFLICT DO NOTHING"
	if s.driver == "mysql" {
		conflict = " ON DUPLICATE KEY UPDATE id = id"
	}
	now := s.now().UTC()
	var inserted int64
	for start := 0; start < len(rows); start += s.insertChunk() {
		chunk := rows[start:min(start+s.insertChunk(), len(rows))]
		var sb strings.Builder
		sb.Grow(64 + len(chunk)*40)
		sb.WriteString("INSERT INTO contacts (" + contactInsertCols + ") VALUES ")
		args := make([]any, 0, len(chunk)*17)
		for i := range chunk {
			c := &chunk[i]
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,0,0,0,?,?,?)")
			args = append(args, c.CampaignID, c.Name, c.Phone, c.AltPhone, c.IDNumber, c.CustomerType, c.ManagerEmail,
				c.Email, c.AttrsJSON, c.Status, c.BlockReason, c.ImportJobID, now, now)
		}
		sb.WriteString(conflict)
		res := tx.Exec(sb.String(), args...)
		if res.Error != nil {
			return inserted, fmt.Errorf("store: insert contacts: %w", res.Error)
		}
		inserted += res.RowsAffected
	}
	return inserted, nil
}

// clip shortens s to at most n bytes without splitting a character (a cut
// UTF-8 sequence is refused by MariaDB).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
