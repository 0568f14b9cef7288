package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestKnowledgeBase(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mk := func(title, cat, body string, tags ...string) *store.Article {
			a, err := s.CreateArticle(ctx, &store.ArticleInput{Title: title, Category: cat, Body: body, Tags: tags}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SetArticleStatus(ctx, a.ID, store.ArticlePublished, 0); err != nil {
				t.Fatal(err)
			}
			return a
		}
		body := mk("信用卡还款方式", "信用卡", "可通过手机银行、柜台或自动扣款还款。逾期后请尽快还款。", "还款")
		title := mk("逾期利息如何计算", "信用卡", "按日万分之五计息。", "利息")
		tag := mk("停息挂账政策", "催收", "符合条件的客户可申请。", "逾期")
		draft, err := s.CreateArticle(ctx, &store.ArticleInput{Title: "逾期草稿", Body: "未发布"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		search := func(q string) []int64 {
			as, total, err := s.ListArticles(ctx, store.ArticleFilter{Query: q, Agent: true})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			if int(total) != len(ids) {
				t.Fatalf("total %d, %d items", total, len(ids))
			}
			return ids
		}
		// Ranked: title, then tag, then body; the draft is not shown to agents.
		if got := search("逾期"); len(got) != 3 || got[0] != title.ID || got[1] != tag.ID || got[2] != body.ID {
			t.Fatalf("search 逾期: %v", got)
		}
		// A new version stays invisible to agents until published.
		if _, err := s.SaveArticle(ctx, body.ID, &store.ArticleInput{Title: "还款渠道", Category: "信用卡", Body: "新版正文"}, 2); err != nil {
			t.Fatal(err)
		}
		if got := search("新版"); len(got) != 0 {
			t.Fatalf("an unpublished version is searchable: %v", got)
		}
		if _, err := s.SetArticleStatus(ctx, body.ID, store.ArticlePublished, 0); err != nil {
			t.Fatal(err)
		}
		if got := search("新版"); len(got) != 1 {
			t.Fatalf("published version 2 not found: %v", got)
		}
		if v, err := s.PublishedArticle(ctx, body.ID); err != nil || v.Version != 2 || v.Title != "还款渠道" {
			t.Fatalf("published: %+v %v", v, err)
		}
		vs, _ := s.ListArticleVersions(ctx, body.ID)
		if len(vs) != 2 {
			t.Fatalf("versions: %d", len(vs))
		}
		if _, err := s.SetArticleStatus(ctx, tag.ID, store.ArticleRetired, 0); err != nil {
			t.Fatal(err)
		}
		if got := search("停息"); len(got) != 0 {
			t.Fatalf("a retired article is searchable: %v", got)
		}
		if _, err := s.PublishedArticle(ctx, draft.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("draft read by an agent: %v", err)
		}
		cats, err := s.ArticleCategories(ctx)
		if err != nil || len(cats) != 2 || cats[1].Category != "信用卡" || cats[1].Count != 2 {
			t.Fatalf("categories: %+v %v", cats, err)
		}
		at := &store.ArticleAttachment{ArticleID: title.ID, Name: "利率表.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 test")}
		if err := s.AddArticleAttachment(ctx, at); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetArticleAttachment(ctx, title.ID, at.ID)
		if err != nil || string(got.Data) != "%PDF-1.4 test" {
			t.Fatalf("attachment: %v", err)
		}
		// Script nodes link articles; a link to none is refused, naming the node.
		f := sampleFlow()
		f.Nodes[1].ArticleIDs = []int64{title.ID}
		if _, err := s.CreateScript(ctx, &store.ScriptDraft{Title: "带知识库", Flow: f}, 1, false); err != nil {
			t.Fatal(err)
		}
		f.Nodes[1].ArticleIDs = []int64{999}
		_, err = s.CreateScript(ctx, &store.ScriptDraft{Title: "坏链接", Flow: f}, 1, false)
		if err == nil || !strings.Contains(err.Error(), `nodes[1].article_ids[0]: node "q2": article 999 does not exist`) {
			t.Fatalf("bad link: %v", err)
		}
	})
}

func TestScriptFeedback(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sc, _ := sessionFixture(t, s, "fb-1")
		f := &store.ScriptFeedback{ScriptID: sc.ID, NodeID: "q2", AgentID: 7, Comment: "客户常问还款渠道，这里应加一句"}
		if err := s.CreateScriptFeedback(ctx, f); err != nil || f.Version != 1 || f.Status != store.FeedbackOpen {
			t.Fatalf("feedback: %+v %v", f, err)
		}
		if err := s.CreateScriptFeedback(ctx, &store.ScriptFeedback{ScriptID: sc.ID, NodeID: "zz", AgentID: 7, Comment: "x"}); err == nil {
			t.Fatal("feedback on a node that does not exist")
		}
		got, err := s.AnswerScriptFeedback(ctx, f.ID, 2, "下一版加上", "")
		if err != nil || got.Status != store.FeedbackAnswered || got.AnsweredBy != 2 {
			t.Fatalf("answer: %+v %v", got, err)
		}
		if _, err := s.AnswerScriptFeedback(ctx, f.ID, 2, "", store.FeedbackResolved); err != nil {
			t.Fatal(err)
		}
		open, total, err := s.ListScriptFeedback(ctx, store.FeedbackFilter{Status: store.FeedbackOpen})
		if err != nil || total != 0 || len(open) != 0 {
			t.Fatalf("open feedback: %v %d", err, total)
		}
	})
}
