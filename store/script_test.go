package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// sampleFlow is the api.md example: a branching questionnaire.
func sampleFlow() store.ScriptFlow {
	return store.ScriptFlow{Start: "q1", Nodes: []store.ScriptNode{
		{ID: "q1", Type: store.NodeQuestion, Text: "您好，请问是{{name}}本人吗？", AnswerType: store.AnswerSingle,
			Options: []store.ScriptOption{{Value: "yes", Label: "是", Next: "q2"}, {Value: "no", Label: "不是", Next: "end_wrong"}}},
		{ID: "q2", Type: store.NodeText, Text: "您的信用卡已逾期，请于本月底前还款。", Next: "q3"},
		{ID: "q3", Type: store.NodeQuestion, Text: "预计还款金额？", AnswerType: store.AnswerNumber,
			Branches: []store.ScriptBranch{{Op: store.OpGe, Value: "1000", Next: "end_ok"}}, Next: "end_partial"},
		{ID: "end_ok", Type: store.NodeEnd, Outcome: "success"},
		{ID: "end_partial", Type: store.NodeEnd, Outcome: "promise_partial"},
		{ID: "end_wrong", Type: store.NodeEnd, Outcome: "wrong_person"},
	}}
}

func TestScriptFlowValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(f *store.ScriptFlow)
		field string // "" = valid
		text  string // in the message
	}{
		{"sample", func(f *store.ScriptFlow) {}, "", ""},
		{"missing branch target", func(f *store.ScriptFlow) { f.Nodes[0].Options[1].Next = "end_x" }, "nodes[0].options[1].next", `node "q1": goes to "end_x", which does not exist`},
		{"missing next", func(f *store.ScriptFlow) { f.Nodes[1].Next = "nowhere" }, "nodes[1].next", `"nowhere", which does not exist`},
		{"unreachable", func(f *store.ScriptFlow) {
			f.Nodes = append(f.Nodes, store.ScriptNode{ID: "orphan", Type: store.NodeText, Text: "孤立", Next: "end_ok"})
		}, "nodes[6]", `node "orphan": unreachable`},
		{"dead end", func(f *store.ScriptFlow) { f.Nodes[1].Next = "" }, "nodes[1].next", `node "q2": a dead end without an outcome`},
		{"end without outcome", func(f *store.ScriptFlow) { f.Nodes[3].Outcome = "" }, "nodes[3].outcome", `node "end_ok": an end node needs an outcome`},
		{"loop without exit", func(f *store.ScriptFlow) {
			f.Nodes[0].Options[0].Next = "loop_a"
			f.Nodes = append(f.Nodes,
				store.ScriptNode{ID: "loop_a", Type: store.NodeText, Text: "甲", Next: "loop_b"},
				store.ScriptNode{ID: "loop_b", Type: store.NodeText, Text: "乙", Next: "loop_a"})
		}, "nodes[6]", `node "loop_a": in a loop without exit (loop_a → loop_b → loop_a)`},
		{"loop with exit", func(f *store.ScriptFlow) {
			// a small amount goes back to the start, whose options lead out
			f.Nodes[2].Branches = append([]store.ScriptBranch{{Op: store.OpLt, Value: "100", Next: "q1"}}, f.Nodes[2].Branches...)
		}, "", ""},
		{"no start", func(f *store.ScriptFlow) { f.Start = "zz" }, "start", `node "zz" does not exist`},
		{"duplicate id", func(f *store.ScriptFlow) { f.Nodes[4].ID = "end_ok" }, "nodes[4].id", `node "end_ok": the id is used by nodes[3] too`},
		{"bad type", func(f *store.ScriptFlow) { f.Nodes[1].Type = "menu" }, "nodes[1].type", store.EnumPrefix},
		{"bad answer type", func(f *store.ScriptFlow) { f.Nodes[2].AnswerType = "slider" }, "nodes[2].answer_type", store.EnumPrefix},
		{"single without options", func(f *store.ScriptFlow) { f.Nodes[0].Options = nil; f.Nodes[0].Next = "q2" }, "nodes[0].options", "needs options"},
		{"option leads nowhere", func(f *store.ScriptFlow) { f.Nodes[0].Options[1].Next = "" }, "nodes[0].next", "some answers lead nowhere"},
		{"bad branch op", func(f *store.ScriptFlow) { f.Nodes[2].Branches[0].Op = "between" }, "nodes[2].branches[0].op", store.EnumPrefix},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := sampleFlow()
			tc.edit(&f)
			err := f.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid flow refused: %v", err)
				}
				return
			}
			var ve *store.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a validation error on %s, got %v", tc.field, err)
			}
			for _, fe := range ve.Fields {
				if fe.Field == tc.field && strings.Contains(fe.Message, tc.text) {
					return
				}
			}
			t.Fatalf("want %s %q, got %v", tc.field, tc.text, err)
		})
	}
}

func TestScriptNextNodeAndRender(t *testing.T) {
	f := sampleFlow()
	q1, q3 := f.Node("q1"), f.Node("q3")
	cases := []struct {
		node   *store.ScriptNode
		answer string
		next   string
		bad    bool
	}{
		{q1, "yes", "q2", false}, {q1, "no", "end_wrong", false}, {q1, "maybe", "", true}, {q1, "", "", true},
		{q3, "1500", "end_ok", false}, {q3, "200", "end_partial", false}, {q3, "一千", "", true},
	}
	for _, tc := range cases {
		next, err := tc.node.NextNode(tc.answer)
		if (err != nil) != tc.bad || next != tc.next {
			t.Errorf("%s answer %q: next %q err %v", tc.node.ID, tc.answer, next, err)
		}
	}
	got := store.RenderText("您好，{{name}}，尾号{{ phone }}，{{missing}}", map[string]string{"name": "张伟", "phone": "138****8000"})
	if got != "您好，张伟，尾号138****8000，{{missing}}" {
		t.Errorf("render: %s", got)
	}
}

func TestScriptVersionsAndSearch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := &store.ScriptDraft{Title: "信用卡逾期还款提醒", CampaignKinds: []store.CampaignKind{store.KindCollection}, Flow: sampleFlow()}
		v1, err := s.CreateScript(ctx, d, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.PublishedVersion != 1 {
			t.Fatalf("created: version %d published %d", v1.Version, v1.PublishedVersion)
		}
		// A second script that mentions 逾期 only in its content.
		d2 := &store.ScriptDraft{Title: "满意度回访", Flow: store.ScriptFlow{Start: "t", Nodes: []store.ScriptNode{
			{ID: "t", Type: store.NodeText, Text: "如有逾期疑问请联系客服", Next: "e"}, {ID: "e", Type: store.NodeEnd, Outcome: "success"}}}}
		if _, err := s.CreateScript(ctx, d2, 1, false); err != nil {
			t.Fatal(err)
		}
		// A session holds version 1 (the session tests check that through
		// StartScriptSession); here: a save makes version 2, not yet current.
		d.Flow.Nodes[1].Text = "新版：请尽快还款。"
		v2, err := s.SaveScript(ctx, v1.ID, d, 1, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.PublishedVersion != 1 {
			t.Fatalf("saved: version %d published %d", v2.Version, v2.PublishedVersion)
		}
		if _, err := s.SaveScript(ctx, v1.ID, d, 1, 2, false); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("save on a stale version: %v, want conflict", err)
		}
		old, err := s.GetScript(ctx, v1.ID, 1)
		if err != nil || old.Nodes[1].Text != "您的信用卡已逾期，请于本月底前还款。" || old.ViewedVersion != 1 {
			t.Fatalf("version 1: %+v %v", old, err)
		}
		if _, err := s.PublishScript(ctx, v1.ID, 0); err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.GetScript(ctx, v1.ID, 0); cur.PublishedVersion != 2 {
			t.Fatalf("published %d, want 2", cur.PublishedVersion)
		}
		if _, err := s.PublishScript(ctx, v1.ID, 9); err == nil {
			t.Fatal("published a version that does not exist")
		}
		vs, err := s.ListScriptVersions(ctx, v1.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"逾期", []string{"信用卡逾期还款提醒", "满意度回访"}}, // title match first
			{"尽快还款", []string{"信用卡逾期还款提醒"}},        // content of the newest version
			{"客服", []string{"满意度回访"}},
			{"100%", nil},
		} {
			got, total, err := s.ListScripts(ctx, store.ScriptFilter{Query: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, sc := range got {
				titles = append(titles, sc.Title)
			}
			if strings.Join(titles, "|") != strings.Join(tc.want, "|") || int(total) != len(tc.want) {
				t.Errorf("q=%s: %v (%d), want %v", tc.q, titles, total, tc.want)
			}
		}
		if err := s.DeleteScript(ctx, v1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetScript(ctx, v1.ID, 0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted script: %v", err)
		}
		if _, err := s.ScriptVersionOf(ctx, v1.ID, 1); err != nil {
			t.Fatalf("a deleted script's versions stay for its sessions: %v", err)
		}
	})
}

// The designer's layout is kept per version, dropped for nodes the flow
// no longer has, and a coordinate off the canvas names the node.
func TestScriptLayout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := &store.ScriptDraft{Title: "布局", Flow: sampleFlow(),
			Layout: store.ScriptLayout{"q1": {X: 40, Y: 60}, "q2": {X: 320.5, Y: 60}, "gone": {X: 1, Y: 1}}}
		v1, err := s.CreateScript(ctx, d, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetScript(ctx, v1.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := store.ScriptLayout{"q1": {X: 40, Y: 60}, "q2": {X: 320.5, Y: 60}}
		if len(got.Layout) != len(want) || got.Layout["q1"] != want["q1"] || got.Layout["q2"] != want["q2"] {
			t.Fatalf("layout: %+v, want %+v", got.Layout, want)
		}
		// A save without a layout has none; older versions keep theirs.
		d.Layout = nil
		if _, err := s.SaveScript(ctx, v1.ID, d, 1, 1, false); err != nil {
			t.Fatal(err)
		}
		if v2, _ := s.GetScript(ctx, v1.ID, 2); len(v2.Layout) != 0 {
			t.Fatalf("version 2 layout: %+v", v2.Layout)
		}
		if v1again, _ := s.GetScript(ctx, v1.ID, 1); len(v1again.Layout) != 2 {
			t.Fatalf("version 1 layout lost: %+v", v1again.Layout)
		}
		d.Layout = store.ScriptLayout{"q3": {X: 1e9, Y: 0}}
		_, err = s.SaveScript(ctx, v1.ID, d, 2, 1, false)
		var ve *store.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "layout.q3" {
			t.Fatalf("off the canvas: %v", err)
		}
	})
}
