package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// dialed runs one call per class through the store's dialer API, as the
// runner will: lease, claim, start, finish. Connected calls take 600 ms from
// answer to agent.
func dialed(t *testing.T, h *harness, d dialSetup, classes ...store.ResultClass) {
	t.Helper()
	ctx, st := context.Background(), h.srv.store
	now := time.Now()
	camp, err := st.GetCampaign(ctx, d.camp.ID)
	must(t, err)
	rules, err := st.DialRules(ctx, camp)
	must(t, err)
	l, err := st.AcquireLease(ctx, camp.ID, "api-test", time.Minute, now)
	must(t, err)
	cls, err := st.ClaimBatch(ctx, camp.ID, l.Token, len(classes), now)
	must(t, err)
	if len(cls) != len(classes) {
		t.Fatalf("claimed %d contacts for %d calls", len(cls), len(classes))
	}
	for i, class := range classes {
		cl := &cls[i]
		uuid := fmt.Sprintf("call-%d-%d", camp.ID, i)
		_, err := st.StartAttempt(ctx, rules, l.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Phone: cl.Contact.Phone, Now: now})
		must(t, err)
		f := store.Finish{Claim: cl, CallUUID: uuid, Class: class, Now: now}
		if class.Answered() {
			answered := now.Add(9 * time.Second)
			f.AnsweredAt, f.HungupAt = &answered, &answered
			if class != store.ResultAbandoned && class != store.ResultMachine {
				connected := answered.Add(600 * time.Millisecond)
				f.ConnectedAt = &connected
			}
		}
		must(t, st.FinishAttempt(ctx, rules, l.Token, f))
	}
	must(t, st.ReleaseLease(ctx, l, now))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCampaignStatsAPI(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	d := newDialSetup(h, "stats", 6, nil)
	h.do("POST", d.path+"/start", sup, nil, http.StatusOK, nil)
	dialed(t, h, d, store.ResultHuman, store.ResultHuman, store.ResultAbandoned, store.ResultBusy, store.ResultMachine)
	var st map[string]any
	h.do("GET", d.path+"/stats", h.tokens[store.RoleQA], nil, http.StatusOK, &st)
	contacts := st["contacts"].(map[string]any)
	lat := st["answer_to_agent_ms"].(map[string]any)
	checks := map[string]float64{"attempts": 5, "answered": 4, "answered_human": 3, "abandoned": 1, "machine": 1, "busy": 1,
		"abandon_rate_24h": 1.0 / 3, "abandon_rate_30d": 1.0 / 3, "abandon_rate_campaign": 1.0 / 3, "dial_rate_per_min": 1}
	for k, want := range checks {
		if got, _ := st[k].(float64); fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", want) {
			t.Errorf("%s = %v, want %v", k, st[k], want)
		}
	}
	if contacts["completed"].(float64) != 2 || contacts["pending"].(float64) != 4 || lat["p50"].(float64) != 650 || lat["p99"].(float64) != 650 {
		t.Errorf("contacts %v latency %v", contacts, lat)
	}
	h.do("GET", d.path+"/stats", h.tokens[store.RoleAgent], nil, http.StatusForbidden, nil)
	h.do("GET", "/api/v1/campaigns/99999/stats", sup, nil, http.StatusNotFound, nil)
}

func TestAbandonmentEvidence(t *testing.T) {
	h := newHarness(t)
	admin, sup := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor]
	d := newDialSetup(h, "evidence", 4, nil)
	h.do("POST", d.path+"/start", sup, nil, http.StatusOK, nil)
	dialed(t, h, d, store.ResultHuman, store.ResultAbandoned, store.ResultNoAnswer)
	path := d.path + "/abandonment-evidence"
	rec := h.do("GET", path, admin, nil, http.StatusOK, nil)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	must(t, err)
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(evidenceColumns, ",") {
		t.Fatalf("evidence (header + 2 answered calls): %v", rows)
	}
	col := func(row []string, name string) string {
		for i, c := range evidenceColumns {
			if c == name {
				return row[i]
			}
		}
		return ""
	}
	human, abandoned := rows[1], rows[2]
	if col(human, "phone") != "+8613900000001" || col(human, "answer_to_agent_ms") != "600" || col(human, "abandoned") != "false" ||
		col(human, "connected_at") == "" || col(human, "answered_at") == "" || col(human, "hungup_at") == "" || col(human, "caller_id") != "02161234567" {
		t.Errorf("human row %v", human)
	}
	if col(abandoned, "abandoned") != "true" || col(abandoned, "connected_at") != "" || col(abandoned, "answer_to_agent_ms") != "" ||
		!strings.HasSuffix(col(abandoned, "answered_at"), "+08:00") {
		t.Errorf("abandoned row %v", abandoned)
	}
	// A supervisor needs the export permission; granted, without pii_view,
	// the phones are masked.
	h.do("GET", path, sup, nil, http.StatusForbidden, nil)
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", h.users[store.RoleSupervisor].ID), admin,
		map[string]any{"permissions": []string{"export"}}, http.StatusOK, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: "u_supervisor", Password: testPassword}, http.StatusOK, &login)
	rec = h.do("GET", path+"?format=xlsx", login.Token, nil, http.StatusOK, nil)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	must(t, err)
	sheet, err := f.GetRows("Sheet1")
	must(t, err)
	if len(sheet) != 3 || sheet[1][3] != "139****0001" {
		t.Fatalf("xlsx for a user without pii_view: %v", sheet)
	}
	// Time filters and bad parameters.
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	rec = h.do("GET", path+"?from="+strings.ReplaceAll(future, "+", "%2B"), admin, nil, http.StatusOK, nil)
	if n := strings.Count(strings.TrimSpace(rec.Body.String()), "\n"); n != 0 {
		t.Errorf("calls dialed before from: %d rows", n)
	}
	for q, field := range map[string]string{"?format=pdf": "format", "?from=yesterday": "from", "?from=2026-12-02&to=2026-12-01": "to"} {
		if e := errorOf(t, h.do("GET", path+q, admin, nil, http.StatusBadRequest, nil)); e.Details[0].Field != field {
			t.Errorf("%s: %+v", q, e)
		}
	}
	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=campaign.evidence_export", admin, nil, http.StatusOK, &audit)
	if audit.Total < 3 || !strings.Contains(audit.Items[len(audit.Items)-1].Detail, "rows=2") || audit.Items[len(audit.Items)-1].Result != "ok" {
		t.Fatalf("audit %+v", audit.Items)
	}
}
