package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// AnswerReport is a campaign's script answers: per question the count of
// each answer (split by outcome), and the sessions per outcome.
type AnswerReport struct {
	CampaignID int64             `json:"campaign_id"`
	Sessions   int64             `json:"sessions"`
	Questions  []QuestionAnswers `json:"questions"`
	Outcomes   []OutcomeCount    `json:"outcomes"`
}

// QuestionAnswers counts the answers of one question of one script version.
type QuestionAnswers struct {
	ScriptID   int64         `json:"script_id"`
	Version    int           `json:"version"`
	NodeID     string        `json:"node_id"`
	Text       string        `json:"text"`
	AnswerType AnswerType    `json:"answer_type"`
	Answers    int           `json:"answers"`
	Values     []AnswerCount `json:"values"`
}

// AnswerCount is how often one answer was given, in total and per outcome
// ("" for sessions not at an end).
type AnswerCount struct {
	Value     string         `json:"value"`
	Label     string         `json:"label"`
	Count     int            `json:"count"`
	ByOutcome map[string]int `json:"by_outcome"`
}

// OutcomeCount is how many sessions ended with an outcome and disposition.
type OutcomeCount struct {
	Outcome     string `json:"outcome"`
	Disposition string `json:"disposition"`
	Count       int    `json:"count"`
}

// maxReportValues bounds the distinct answers listed per question (free
// text and numbers can be many); the rest are summed under "…".
const maxReportValues = 100

// ScriptAnswerReport builds the answer report of a campaign.
func (s *Store) ScriptAnswerReport(ctx context.Context, campaignID int64) (*AnswerReport, error) {
	if _, err := s.GetCampaign(ctx, campaignID); err != nil {
		return nil, err
	}
	rep := &AnswerReport{CampaignID: campaignID, Questions: []QuestionAnswers{}, Outcomes: []OutcomeCount{}}
	db := s.conn(ctx)
	if err := db.Model(&ScriptSession{}).Where("campaign_id = ?", campaignID).Count(&rep.Sessions).Error; err != nil {
		return nil, fmt.Errorf("store: count script sessions: %w", err)
	}
	err := db.Model(&ScriptSession{}).Select("outcome, disposition, COUNT(*) AS count").Where("campaign_id = ?", campaignID).
		Group("outcome, disposition").Order("count DESC, outcome, disposition").Scan(&rep.Outcomes).Error
	if err != nil {
		return nil, fmt.Errorf("store: outcomes of campaign %d: %w", campaignID, err)
	}
	var rows []struct {
		ScriptID int64
		Version  int
		NodeID   string
		Value    string
		Outcome  string
		N        int
	}
	err = db.Table("script_answers AS a").Joins("JOIN script_sessions AS s ON s.id = a.session_id").
		Select("a.script_id, a.version, a.node_id, a.value, s.outcome, COUNT(*) AS n").Where("a.campaign_id = ?", campaignID).
		Group("a.script_id, a.version, a.node_id, a.value, s.outcome").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: answers of campaign %d: %w", campaignID, err)
	}
	type qkey struct {
		id   int64
		v    int
		node string
	}
	qs := map[qkey]map[string]*AnswerCount{}
	for _, r := range rows {
		k := qkey{r.ScriptID, r.Version, r.NodeID}
		if qs[k] == nil {
			qs[k] = map[string]*AnswerCount{}
		}
		for _, v := range splitAnswer(r.Value) {
			c := qs[k][v]
			if c == nil {
				c = &AnswerCount{Value: v, Label: v, ByOutcome: map[string]int{}}
				qs[k][v] = c
			}
			c.Count += r.N
			c.ByOutcome[r.Outcome] += r.N
		}
	}
	versions := map[[2]int64]*ScriptVersion{}
	for k, vals := range qs {
		vk := [2]int64{k.id, int64(k.v)}
		if versions[vk] == nil {
			v, err := s.ScriptVersionOf(ctx, k.id, k.v)
			if err != nil {
				return nil, err
			}
			versions[vk] = v
		}
		rep.Questions = append(rep.Questions, questionOf(versions[vk], k.node, vals))
	}
	sort.Slice(rep.Questions, func(i, j int) bool {
		a, b := rep.Questions[i], rep.Questions[j]
		if a.ScriptID != b.ScriptID || a.Version != b.Version {
			return a.ScriptID < b.ScriptID || a.ScriptID == b.ScriptID && a.Version < b.Version
		}
		return nodeOrder(versions[[2]int64{a.ScriptID, int64(a.Version)}], a.NodeID) < nodeOrder(versions[[2]int64{b.ScriptID, int64(b.Version)}], b.NodeID)
	})
	return rep, nil
}

func splitAnswer(v string) []string {
	if !strings.Contains(v, ",") {
		return []string{v}
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func nodeOrder(v *ScriptVersion, id string) int {
	for i, n := range v.Nodes {
		if n.ID == id {
			return i
		}
	}
	return len(v.Nodes)
}

func questionOf(v *ScriptVersion, node string, vals map[string]*AnswerCount) QuestionAnswers {
	q := QuestionAnswers{ScriptID: v.ScriptID, Version: v.Version, NodeID: node, Values: []AnswerCount{}}
	if n := v.Flow().Node(node); n != nil {
		q.Text, q.AnswerType = n.Text, n.AnswerType
		for _, o := range n.Options {
			if c := vals[o.Value]; c != nil {
				c.Label = o.Label
			}
		}
	}
	for _, c := range vals {
		q.Answers += c.Count
		q.Values = append(q.Values, *c)
	}
	sort.Slice(q.Values, func(i, j int) bool {
		if q.Values[i].Count != q.Values[j].Count {
			return q.Values[i].Count > q.Values[j].Count
		}
		return q.Values[i].Value < q.Values[j].Value
	})
	if len(q.Values) > maxReportValues {
		rest := AnswerCount{Value: "…", Label: "…", ByOutcome: map[string]int{}}
		for _, c := range q.Values[maxReportValues:] {
			rest.Count += c.Count
			for o, n := range c.ByOutcome {
				rest.ByOutcome[o] += n
			}
		}
		q.Values = append(q.Values[:maxReportValues], rest)
	}
	return q
}
