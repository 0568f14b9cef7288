package api

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

func TestScriptDesignerAPI(t *testing.T) {
	h := newHarness(t)
	sup, agent, qa := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAgent], h.tokens[store.RoleQA]
	body := map[string]any{"title": "信用卡逾期还款提醒", "campaign_kinds": []string{"collection"}, "start": "q1", "nodes": exampleScriptNodes()}
	body["nodes"].([]store.ScriptNode)[1].ArticleIDs = nil
	// Invalid flows: the details name the node.
	bad := map[string]any{"title": "坏", "start": "q1", "nodes": []map[string]any{
		{"id": "q1", "type": "question", "text": "?", "answer_type": "single", "options": []map[string]any{{"value": "y", "next": "q9"}}},
		{"id": "e", "type": "end", "outcome": "success"}}}
	rec := h.do("POST", "/api/v1/scripts", sup, bad, 400, nil)
	e := errorOf(t, rec)
	if len(e.Details) == 0 || e.Details[0].Field != "nodes[0].options[0].next" || !strings.Contains(e.Details[0].Message, `node "q1"`) {
		t.Fatalf("details: %+v", e.Details)
	}
	h.do("POST", "/api/v1/scripts", agent, body, 403, nil)
	var sc store.ScriptView
	h.do("POST", "/api/v1/scripts", sup, body, 201, &sc)
	if sc.ID == 0 || sc.Version != 1 || sc.PublishedVersion != 0 || len(sc.Nodes) != 4 {
		t.Fatalf("created: %+v", sc)
	}
	path := fmt.Sprintf("/api/v1/scripts/%d", sc.ID)
	// A user with script_edit but not script_publish cannot publish.
	editor := h.userWith(store.RoleAgent, store.PermScriptEdit)
	h.do("POST", path+"/publish", editor, map[string]any{}, 403, nil)
	h.do("PATCH", path, editor, map[string]any{"publish": true}, 403, nil)
	var v2 store.ScriptView
	h.do("PATCH", path, editor, map[string]any{"title": "信用卡逾期还款提醒（二版）", "base_version": 1}, 200, &v2)
	if v2.Version != 2 || v2.PublishedVersion != 0 {
		t.Fatalf("v2: %+v", v2)
	}
	h.do("PATCH", path, editor, map[string]any{"title": "x", "base_version": 1}, 409, nil)
	// The designer's layout: kept with the version, kept by a save that
	// leaves it out, a coordinate off the canvas is a 400 naming the node.
	var v3 store.ScriptView
	h.do("PATCH", path, editor, map[string]any{"layout": map[string]any{"q1": map[string]any{"x": 40, "y": 60}, "nope": map[string]any{"x": 1, "y": 1}}}, 200, &v3)
	h.do("PATCH", path, editor, map[string]any{"note": "文字"}, 200, &v3)
	if v3.Version != 4 || len(v3.Layout) != 1 || v3.Layout["q1"] != (store.ScriptPoint{X: 40, Y: 60}) {
		t.Fatalf("layout: %+v", v3)
	}
	rec = h.do("PATCH", path, editor, map[string]any{"layout": map[string]any{"q1": map[string]any{"x": 1e7, "y": 0}}}, 400, nil)
	if e := errorOf(t, rec); len(e.Details) != 1 || e.Details[0].Field != "layout.q1" {
		t.Fatalf("layout off the canvas: %+v", e.Details)
	}
	h.do("POST", path+"/publish", sup, map[string]any{"version": 1}, 200, nil)
	var old store.ScriptView
	h.do("GET", path+"?version=1", agent, nil, 200, &old)
	if old.Title != "信用卡逾期还款提醒" || old.PublishedVersion != 1 {
		t.Fatalf("version 1: %+v", old)
	}
	var found list[store.Script]
	h.do("GET", "/api/v1/scripts?q="+url.QueryEscape("逾期"), qa, nil, 200, &found)
	if found.Total != 1 || found.Items[0].ID != sc.ID {
		t.Fatalf("search: %+v", found)
	}
	var versions list[store.ScriptVersion]
	h.do("GET", path+"/versions", sup, nil, 200, &versions)
	if versions.Total != 4 {
		t.Fatalf("versions: %+v", versions)
	}
	// Import a LibreOffice-written sheet; a broken one stores nothing and names the row.
	var imported store.ScriptView
	rec = h.upload("/api/v1/scripts/import", sup, "话术.xlsx", readFile(t, "../scriptimport/testdata/script_libreoffice.xlsx"), map[string]string{"title": "导入的话术"})
	if rec.Code != 201 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body.String())
	}
	decode(t, rec, &imported)
	if imported.Title != "导入的话术" || len(imported.Nodes) != 8 || imported.PublishedVersion != 0 {
		t.Fatalf("imported: %+v", imported)
	}
	rec = h.upload("/api/v1/scripts/import", sup, "broken.docx", readFile(t, "../scriptimport/testdata/broken.docx"), nil)
	if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) != 1 || e.Details[0].Row != 3 {
		t.Fatalf("broken import: %d %s", rec.Code, rec.Body.String())
	}
	h.do("GET", "/api/v1/scripts", sup, nil, 200, &found)
	if found.Total != 2 {
		t.Fatalf("a broken import stored something: %d scripts", found.Total)
	}
	// Deleting needs script_publish.
	h.do("DELETE", fmt.Sprintf("/api/v1/scripts/%d", imported.ID), editor, nil, 403, nil)
	h.do("DELETE", fmt.Sprintf("/api/v1/scripts/%d", imported.ID), sup, nil, 204, nil)
	// Every change is audited.
	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?target_type=script", h.tokens[store.RoleAdmin], nil, 200, &audit)
	actions := map[string]int{}
	for _, a := range audit.Items {
		actions[a.Action]++
	}
	for _, want := range []string{"script.create", "script.update", "script.publish", "script.import", "script.delete"} {
		if actions[want] == 0 {
			t.Errorf("no audit entry %s: %v", want, actions)
		}
	}
}

// userWith makes a user of role with extra permissions and signs them in.
func (h *harness) userWith(role store.Role, perms ...store.Permission) string {
	h.t.Helper()
	u := &store.User{Username: fmt.Sprintf("u_%s_%d", role, len(perms)+len(h.users)*10), Role: role, DisplayName: "extra"}
	u.SetExtraPermissions(perms)
	if err := u.SetPassword(testPassword, time.Now()); err != nil {
		h.t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(context.Background(), u, nil); err != nil {
		h.t.Fatal(err)
	}
	var resp loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: u.Username, Password: testPassword}, 200, &resp)
	return resp.Token
}

func TestScriptSessionAPI(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sup, agent, admin := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAgent], h.tokens[store.RoleAdmin]
	var sc store.ScriptView
	body := map[string]any{"title": "逾期提醒", "start": "q1", "nodes": exampleScriptNodes()[:], "publish": true}
	body["nodes"].([]store.ScriptNode)[1].ArticleIDs = nil
	body["nodes"].([]store.ScriptNode)[1].Text = "请确认手机号{{phone}}，尽快还款。"
	h.do("POST", "/api/v1/scripts", sup, body, 201, &sc)
	camp := h.campaign("话术活动")
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, map[string]any{"script_id": sc.ID}, 200, nil)
	h.ingest(camp.ID, map[string]any{"name": "张伟", "phone": "13800138000"})
	agentID := h.users[store.RoleAgent].ID
	if err := h.srv.store.SaveAttempt(ctx, &store.Attempt{CallUUID: "call-abc", CampaignID: camp.ID, ContactID: 1, AgentID: agentID, State: "answered"}); err != nil {
		t.Fatal(err)
	}
	var view scriptSessionView
	h.do("POST", "/api/v1/me/script-sessions", agent, map[string]any{"call_uuid": "call-abc"}, 200, &view)
	if view.Node == nil || view.Node.ID != "q1" || view.Node.Text != "您好，请问是张伟本人吗？" || view.Version != 1 {
		t.Fatalf("started: %+v", view)
	}
	// Another agent's call is not theirs to start.
	h.do("POST", "/api/v1/me/script-sessions", sup, map[string]any{"call_uuid": "call-abc"}, 409, nil)
	s := "/api/v1/me/script-sessions/call-abc"
	h.do("POST", s+"/answers", agent, map[string]any{"node_id": "q1", "value": "maybe"}, 400, nil)
	h.do("POST", s+"/answers", agent, map[string]any{"node_id": "q1", "value": "yes"}, 200, &view)
	// Merged fields stay masked for an agent without pii_view.
	if txt := view.Node.Text; strings.Contains(txt, "13800138000") || !strings.Contains(txt, "*") || strings.Contains(txt, "{{") {
		t.Fatalf("merged text: %s", txt)
	}
	h.do("POST", s+"/pause", agent, map[string]any{"reason": "complaint", "note": "投诉"}, 200, &view)
	if view.Status != store.SessionPaused {
		t.Fatalf("paused: %+v", view.ScriptSession)
	}
	h.do("POST", s+"/answers", agent, map[string]any{"node_id": "q2"}, 409, nil)
	// A reload finds the session as it was.
	h.do("GET", s, agent, nil, 200, &view)
	if view.Current != "q2" || len(view.Answers) != 1 || view.Answers[0].Value != "yes" {
		t.Fatalf("reload: %+v", view)
	}
	h.do("GET", s, sup, nil, 404, nil)
	h.do("POST", s+"/resume", agent, nil, 200, &view)
	// A transfer moves the session to the supervisor.
	if err := h.srv.store.MoveScriptSession(ctx, "call-abc", h.users[store.RoleSupervisor].ID); err != nil {
		t.Fatal(err)
	}
	h.do("GET", s, agent, nil, 404, nil)
	h.do("POST", s+"/answers", sup, map[string]any{"node_id": "q2"}, 200, &view)
	if view.Status != store.SessionFinished || view.Outcome != "success" {
		t.Fatalf("end: %+v", view.ScriptSession)
	}
	h.do("POST", s+"/results", sup, map[string]any{"result": "promise", "business": map[string]string{"promise_amount": "3000"}}, 200, &view)
	if view.Disposition != "promise" || view.Business["promise_amount"] != "3000" || len(view.Answers) != 1 {
		t.Fatalf("results: %+v", view.ScriptSession)
	}
	// The answer report, as JSON and as a workbook.
	var rep store.AnswerReport
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/script-answers", camp.ID), sup, nil, 200, &rep)
	if rep.Sessions != 1 || len(rep.Questions) != 1 || rep.Questions[0].Values[0].ByOutcome["success"] != 1 {
		t.Fatalf("report: %+v", rep)
	}
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/script-answers", camp.ID), agent, nil, 403, nil)
	rec := h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/script-answers?format=xlsx", camp.ID), sup, nil, 200, nil)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("答案")
	if len(rows) != 2 || rows[1][5] != "是" || rows[1][6] != "1" || rows[0][7] != "结果:success" {
		t.Fatalf("xlsx rows: %v", rows)
	}
	// Feedback: the agent flags, a manager answers.
	var fb store.ScriptFeedback
	h.do("POST", fmt.Sprintf("/api/v1/scripts/%d/feedback", sc.ID), agent, map[string]any{"node_id": "q2", "comment": "加一句还款渠道"}, 201, &fb)
	h.do("PATCH", fmt.Sprintf("/api/v1/script-feedback/%d", fb.ID), agent, map[string]any{"answer": "x"}, 403, nil)
	h.do("PATCH", fmt.Sprintf("/api/v1/script-feedback/%d", fb.ID), sup, map[string]any{"answer": "已加"}, 200, &fb)
	var mine list[store.ScriptFeedback]
	h.do("GET", "/api/v1/me/script-feedback", agent, nil, 200, &mine)
	if mine.Total != 1 || mine.Items[0].Answer != "已加" || mine.Items[0].Status != store.FeedbackAnswered {
		t.Fatalf("my feedback: %+v", mine)
	}
}

func TestKnowledgeBaseAPI(t *testing.T) {
	h := newHarness(t)
	sup, agent := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAgent]
	var a store.Article
	h.do("POST", "/api/v1/kb/articles", agent, map[string]any{"title": "x"}, 403, nil)
	h.do("POST", "/api/v1/kb/articles", sup, map[string]any{"title": "逾期利息计算", "category": "信用卡", "tags": []string{"利息"}, "body": "按日计息"}, 201, &a)
	path := fmt.Sprintf("/api/v1/kb/articles/%d", a.ID)
	h.do("GET", fmt.Sprintf("/api/v1/kb/read/%d", a.ID), agent, nil, 404, nil) // a draft
	rec := h.upload(path+"/attachments", sup, "利率表.txt", []byte("日利率 0.05%"), nil)
	if rec.Code != 201 {
		t.Fatalf("attach: %d %s", rec.Code, rec.Body.String())
	}
	var at store.ArticleAttachment
	decode(t, rec, &at)
	h.do("POST", path+"/status", sup, map[string]any{"status": "published"}, 200, nil)
	var hits list[store.Article]
	h.do("GET", "/api/v1/kb/search?q="+url.QueryEscape("逾期"), agent, nil, 200, &hits)
	if hits.Total != 1 || hits.Items[0].Title != "逾期利息计算" {
		t.Fatalf("search: %+v", hits)
	}
	var view articleView
	h.do("GET", fmt.Sprintf("/api/v1/kb/read/%d", a.ID), agent, nil, 200, &view)
	if len(view.Attachments) != 1 {
		t.Fatalf("read: %+v", view)
	}
	rec = h.do("GET", fmt.Sprintf("/api/v1/kb/read/%d/attachments/%d", a.ID, at.ID), agent, nil, 200, nil)
	if rec.Body.String() != "日利率 0.05%" {
		t.Fatalf("download: %q", rec.Body.String())
	}
	h.do("POST", path+"/status", sup, map[string]any{"status": "retired"}, 200, nil)
	h.do("GET", "/api/v1/kb/search?q="+url.QueryEscape("逾期"), agent, nil, 200, &hits)
	if hits.Total != 0 {
		t.Fatalf("a retired article is found: %+v", hits)
	}
	h.do("GET", fmt.Sprintf("/api/v1/kb/read/%d/attachments/%d", a.ID, at.ID), agent, nil, 404, nil)
	h.do("POST", path+"/status", sup, map[string]any{"status": "gone"}, 400, nil)
}
