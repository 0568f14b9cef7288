package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ScorecardItem is one line of a QA scorecard: scored 0..MaxScore, weighted;
// a critical item scored 0 fails the whole call (its total is 0).
type ScorecardItem struct {
	Key      string  `json:"key"`
	Label    string  `json:"label"`
	Weight   float64 `json:"weight"`
	MaxScore int     `json:"max_score"`
	Critical bool    `json:"critical,omitempty"`
}

// Scorecard is a QA form (R33).
type Scorecard struct {
	ID        int64           `gorm:"primaryKey" json:"id"`
	Name      string          `gorm:"type:varchar(128);not null;uniqueIndex" json:"name"`
	Items     []ScorecardItem `gorm:"serializer:json;type:text" json:"items"`
	CreatedBy int64           `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

func (sc *Scorecard) validate() error {
	sc.Name = strings.TrimSpace(sc.Name)
	switch {
	case sc.Name == "" || len(sc.Name) > 128:
		return Invalid("name", "1 to 128 bytes")
	case len(sc.Items) == 0 || len(sc.Items) > 100:
		return Invalid("items", "1 to 100 items")
	}
	seen := map[string]bool{}
	for i, it := range sc.Items {
		field := fmt.Sprintf("items[%d]", i)
		switch {
		case it.Key == "" || len(it.Key) > 32 || seen[it.Key]:
			return Invalid(field+".key", "a unique key of 1 to 32 bytes")
		case it.Weight <= 0 || it.Weight > 1000:
			return Invalid(field+".weight", "above 0, at most 1000")
		case it.MaxScore < 1 || it.MaxScore > 100:
			return Invalid(field+".max_score", "1 to 100")
		}
		seen[it.Key] = true
	}
	return nil
}

// CreateScorecard stores a scorecard.
func (s *Store) CreateScorecard(ctx context.Context, sc *Scorecard) error {
	if err := sc.validate(); err != nil {
		return err
	}
	sc.CreatedAt = ts(s.now())
	if err := s.conn(ctx).Create(sc).Error; err != nil {
		return fmt.Errorf("store: create scorecard %q: %w", sc.Name, translate(err))
	}
	return nil
}

// ListScorecards lists scorecards by id.
func (s *Store) ListScorecards(ctx context.Context) ([]Scorecard, error) {
	var out []Scorecard
	if err := s.conn(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: scorecards: %w", err)
	}
	return out, nil
}

// ItemScore is the score given to one item.
type ItemScore struct {
	Key   string `json:"key"`
	Score int    `json:"score"`
}

// QAComment is a remark at a moment of the recording.
type QAComment struct {
	AtMS int64  `json:"at_ms"`
	Text string `json:"text"`
}

// AppealStatus is where a score's appeal stands.
type AppealStatus string

const (
	AppealNone     AppealStatus = ""
	AppealOpen     AppealStatus = "open"
	AppealUpheld   AppealStatus = "upheld"   // the agent was right: the score is set aside
	AppealRejected AppealStatus = "rejected" // the score stands
)

// AppealDecisions are the outcomes a reviewer gives.
var AppealDecisions = []AppealStatus{AppealUpheld, AppealRejected}

// EnumValues lists the decisions.
func (AppealStatus) EnumValues() []string { return enumStrings(AppealDecisions) }

// QAScore is one scorer's score of one call (several scorers = calibration).
// ix_qa_report covers the QA report's query by scorer (its period and every
// column it groups by or sums), so that report reads the index alone; the
// QA report otherwise reads the QA rollup (rollup_qa.go).
type QAScore struct {
	ID             int64        `gorm:"primaryKey" json:"id"`
	ScorecardID    int64        `gorm:"not null;index" json:"scorecard_id"`
	AttemptID      int64        `gorm:"not null;uniqueIndex:ux_qa_call_scorer,priority:1" json:"call_id"`
	ScorerID       int64        `gorm:"not null;uniqueIndex:ux_qa_call_scorer,priority:2;index;index:ix_qa_report,priority:3" json:"scorer_id"`
	AgentID        int64        `gorm:"not null;index;index:ix_qa_report,priority:2" json:"agent_id"`
	CampaignID     int64        `gorm:"not null;index;index:ix_qa_report,priority:4" json:"campaign_id"`
	Items          []ItemScore  `gorm:"serializer:json;type:text" json:"items"`
	Comments       []QAComment  `gorm:"serializer:json;type:text" json:"comments"`
	Total          float64      `gorm:"not null" json:"total"`                                                       // 0..100, weighted
	TotalX100      int64        `gorm:"column:total_x100;not null;default:0;index:ix_qa_report,priority:5" json:"-"` // for sums in reports
	CriticalFailed bool         `gorm:"not null;default:false;index:ix_qa_report,priority:6" json:"critical_failed"`
	Appeal         AppealStatus `gorm:"type:varchar(16);not null;default:'';index:ix_qa_report,priority:7" json:"appeal,omitempty"`
	AppealText     string       `gorm:"type:varchar(1000);not null;default:''" json:"appeal_text,omitempty"`
	AppealNote     string       `gorm:"type:varchar(1000);not null;default:''" json:"appeal_note,omitempty"`
	AppealedAt     *time.Time   `json:"appealed_at,omitempty"`
	ResolvedBy     int64        `json:"resolved_by,omitempty"`
	CreatedAt      time.Time    `gorm:"index;index:ix_qa_report,priority:1" json:"created_at"`
}

// scoreTotal weighs the items: Σ weight·score/max ÷ Σ weight × 100, or 0
// when a critical item scored 0.
func scoreTotal(sc *Scorecard, items []ItemScore) (float64, bool, error) {
	given := map[string]int{}
	for i, it := range items {
		if _, dup := given[it.Key]; dup {
			return 0, false, Invalid(fmt.Sprintf("items[%d].key", i), fmt.Sprintf("%q is scored twice", it.Key))
		}
		given[it.Key] = it.Score
	}
	var sum, weights float64
	critical := false
	for _, it := range sc.Items {
		v, ok := given[it.Key]
		if !ok {
			return 0, false, Invalid("items", fmt.Sprintf("item %q of the scorecard is not scored", it.Key))
		}
		if v < 0 || v > it.MaxScore {
			return 0, false, Invalid("items", fmt.Sprintf("item %q: score %d is outside 0..%d", it.Key, v, it.MaxScore))
		}
		delete(given, it.Key)
		sum += it.Weight * float64(v) / float64(it.MaxScore)
		weights += it.Weight
		if it.Critical && v == 0 {
			critical = true
		}
	}
	for k := range given {
		return 0, false, Invalid("items", fmt.Sprintf("%q is not an item of the scorecard", k))
	}
	if critical {
		return 0, true, nil
	}
	return math.Round(sum/weights*10000) / 100, false, nil
}

// ScoreCall stores a scorer's score of a call (one per scorer and call).
func (s *Store) ScoreCall(ctx context.Context, q *QAScore) error {
	var sc Scorecard
	if err := s.conn(ctx).First(&sc, q.ScorecardID).Error; err != nil {
		return Invalid("scorecard_id", "no such scorecard")
	}
	var at Attempt
	if err := s.conn(ctx).First(&at, q.AttemptID).Error; err != nil {
		return Invalid("call_id", "no such call")
	}
	for i, c := range q.Comments {
		if strings.TrimSpace(c.Text) == "" || len(c.Text) > 1000 || c.AtMS < 0 {
			return Invalid(fmt.Sprintf("comments[%d]", i), "a text of 1 to 1000 bytes at a time ≥ 0 ms")
		}
	}
	total, crit, err := scoreTotal(&sc, q.Items)
	if err != nil {
		return err
	}
	q.TotalX100 = int64(math.Round(total * 100))
	q.Total, q.CriticalFailed, q.AgentID, q.CampaignID, q.CreatedAt = total, crit, at.AgentID, at.CampaignID, ts(s.now())
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(q).Error; err != nil {
			return fmt.Errorf("store: score call %d: %w", q.AttemptID, translate(err))
		}
		r := rollup{}
		qaState(r, q, 1)
		return r.apply(tx)
	})
	return err
}

// GetQAScore loads one score.
func (s *Store) GetQAScore(ctx context.Context, id int64) (*QAScore, error) {
	var q QAScore
	if err := s.conn(ctx).First(&q, id).Error; err != nil {
		return nil, fmt.Errorf("store: qa score %d: %w", id, translate(err))
	}
	return &q, nil
}

// QAFilter selects scores.
type QAFilter struct {
	AgentID, ScorerID, CampaignID, AttemptID int64
}

// ListQAScores lists scores, newest first.
func (s *Store) ListQAScores(ctx context.Context, f QAFilter) ([]QAScore, error) {
	q := s.conn(ctx).Order("id DESC").Limit(1000)
	for col, v := range map[string]int64{"agent_id": f.AgentID, "scorer_id": f.ScorerID, "campaign_id": f.CampaignID, "attempt_id": f.AttemptID} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	out := []QAScore{}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: qa scores: %w", err)
	}
	return out, nil
}

// AppealScore opens the agent's appeal of a score.
func (s *Store) AppealScore(ctx context.Context, id int64, text string) (*QAScore, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 1000 {
		return nil, Invalid("text", "say why, in 1 to 1000 bytes")
	}
	now := ts(s.now())
	var done bool
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		done, err = changeScore(tx, id, func(q *QAScore) bool { return q.Appeal == AppealNone },
			map[string]any{"appeal": AppealOpen, "appeal_text": text, "appealed_at": now})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: appeal score %d: %w", id, err)
	}
	if !done {
		return nil, fmt.Errorf("store: score %d was appealed already: %w", id, ErrConflict)
	}
	return s.GetQAScore(ctx, id)
}

// ResolveAppeal decides an open appeal.
func (s *Store) ResolveAppeal(ctx context.Context, id int64, decision AppealStatus, note string, by int64) (*QAScore, error) {
	if !OneOf(decision) {
		return nil, Invalid("decision", EnumMessage(decision))
	}
	var done bool
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		done, err = changeScore(tx, id, func(q *QAScore) bool { return q.Appeal == AppealOpen },
			map[string]any{"appeal": decision, "appeal_note": strings.TrimSpace(note), "resolved_by": by})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: resolve appeal of score %d: %w", id, err)
	}
	if !done {
		return nil, fmt.Errorf("store: score %d has no open appeal: %w", id, ErrConflict)
	}
	return s.GetQAScore(ctx, id)
}

// Calibration compares the scores several scorers gave one call.
type Calibration struct {
	CallID int64     `json:"call_id"`
	Scores []QAScore `json:"scores"`
	Mean   float64   `json:"mean"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Spread float64   `json:"spread"` // max - min
	StdDev float64   `json:"stddev"` // population standard deviation
	// Items is the spread per item (max - min of the item's score).
	Items map[string]int `json:"items"`
}

// CalibrateCall computes the spread of a call's scores.
func (s *Store) CalibrateCall(ctx context.Context, attemptID int64) (*Calibration, error) {
	scores, err := s.ListQAScores(ctx, QAFilter{AttemptID: attemptID})
	if err != nil {
		return nil, err
	}
	c := &Calibration{CallID: attemptID, Scores: scores, Items: map[string]int{}}
	if len(scores) == 0 {
		return c, nil
	}
	c.Min, c.Max = math.Inf(1), math.Inf(-1)
	lo, hi := map[string]int{}, map[string]int{}
	for _, q := range scores {
		c.Mean += q.Total / float64(len(scores))
		c.Min, c.Max = math.Min(c.Min, q.Total), math.Max(c.Max, q.Total)
		for _, it := range q.Items {
			if v, ok := lo[it.Key]; !ok || it.Score < v {
				lo[it.Key] = it.Score
			}
			if v, ok := hi[it.Key]; !ok || it.Score > v {
				hi[it.Key] = it.Score
			}
		}
	}
	for _, q := range scores {
		c.StdDev += (q.Total - c.Mean) * (q.Total - c.Mean) / float64(len(scores))
	}
	c.StdDev = math.Round(math.Sqrt(c.StdDev)*100) / 100
	c.Mean = math.Round(c.Mean*100) / 100
	c.Spread = c.Max - c.Min
	for k := range lo {
		c.Items[k] = hi[k] - lo[k]
	}
	return c, nil
}

// GetAttempt loads one attempt by id.
func (s *Store) GetAttempt(ctx context.Context, id int64) (*Attempt, error) {
	var a Attempt
	if err := s.conn(ctx).First(&a, id).Error; err != nil {
		return nil, fmt.Errorf("store: attempt %d: %w", id, translate(err))
	}
	return &a, nil
}
