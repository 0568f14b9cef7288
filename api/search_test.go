package api

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestSearchIsNoOracle replays the probe that recovered masked numbers: a
// QA user (no pii_view) searching by prefix found 1 hit for a right prefix
// and 0 for a wrong one, digit by digit. Now prefixes find nothing, the
// full value (in any accepted form) finds its contact, still masked.
func TestSearchIsNoOracle(t *testing.T) {
	h := newHarness(t)
	admin, qa := h.tokens[store.RoleAdmin], h.tokens[store.RoleQA]
	camp := h.campaign("search")
	h.ingest(camp.ID,
		map[string]any{"name": "张伟", "phone": "13800138000", "id_number": "110101199003071233"},
		map[string]any{"name": "李娜", "phone": "13900139000"},
	)
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"phone": "13700137000"}, 201, nil)
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"id_number": "11010119900307109X"}, 201, nil)
	contacts := fmt.Sprintf("/api/v1/campaigns/%d/contacts?q=", camp.ID)

	for _, tc := range []struct {
		name, path, q, token string
		hits                 int64
		shown                string // the matched value as the caller sees it
	}{
		{"id prefix", contacts, "110101199003", qa, 0, ""},
		{"id wrong prefix", contacts, "110101199103", qa, 0, ""},
		{"id all but last", contacts, "11010119900307123", qa, 0, ""},
		{"phone prefix", contacts, "1380013", qa, 0, ""},
		{"phone prefix +86", contacts, "+86138001", qa, 0, ""},
		{"full id", contacts, "110101199003071233", qa, 1, "110101********1233"},
		{"full phone", contacts, "13800138000", qa, 1, "138****8000"},
		{"full phone other form", contacts, "+86 138-0013-8000", qa, 1, "138****8000"},
		{"name substring", contacts, "伟", qa, 1, "138****8000"},
		{"admin prefix", contacts, "1380013", admin, 1, "+8613800138000"},
		{"admin id prefix", contacts, "110101199003", admin, 1, "110101199003071233"},
		{"dnc phone prefix", "/api/v1/dnc?q=", "137001", qa, 0, ""},
		{"dnc id prefix", "/api/v1/dnc?q=", "1101011990", qa, 0, ""},
		{"dnc full phone", "/api/v1/dnc?q=", "137-0013-7000", qa, 1, "137****7000"},
		{"dnc full id lower x", "/api/v1/dnc?q=", "11010119900307109x", qa, 1, "110101********109X"},
		{"dnc admin prefix", "/api/v1/dnc?q=", "137001", admin, 1, "+8613700137000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Items []map[string]any `json:"items"`
				Total int64            `json:"total"`
			}
			h.do("GET", tc.path+url.QueryEscape(tc.q), tc.token, nil, 200, &got)
			if got.Total != tc.hits || int64(len(got.Items)) != tc.hits {
				t.Fatalf("q=%s: %d hits (%v), want %d", tc.q, got.Total, got.Items, tc.hits)
			}
			if tc.hits == 0 {
				return
			}
			it := got.Items[0]
			if it["phone"] != tc.shown && it["id_number"] != tc.shown && it["value"] != tc.shown {
				t.Fatalf("q=%s: item %v does not show %q", tc.q, it, tc.shown)
			}
		})
	}
}
