package reportfile

import (
	"slices"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// Every column of the QA report has a header in both languages (the
// dimensions and measures the report adds to the shared ones).
func TestHeadersQA(t *testing.T) {
	rep := &store.Report{Name: store.ReportQA, Columns: []store.ReportColumn{{Key: "agent_id"}, {Key: "scorer_id"}, {Key: "scores"},
		{Key: "critical_failures"}, {Key: "appeals"}, {Key: "appeals_upheld"}, {Key: "avg_total"}}}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"zh-CN", []string{"坐席编号", "质检员编号", "评分数", "致命项不合格", "申诉", "申诉成立", "平均得分"}},
		{"en", []string{"Agent", "Scorer", "Scores", "Critical failures", "Appeals", "Appeals upheld", "Average score"}},
	} {
		if got := Headers(rep, tc.lang, nil); !slices.Equal(got, tc.want) {
			t.Errorf("%s headers = %q, want %q", tc.lang, got, tc.want)
		}
	}
}
