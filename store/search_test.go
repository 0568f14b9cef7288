package store_test

import (
	"context"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestSearchMatchesExactlyUnlessPrefix checks the search rule on both
// databases: exact values match whole values only, a prefix only when set.
func TestSearchMatchesExactlyUnlessPrefix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		camp := &store.Campaign{Name: "搜索", Kind: store.KindSurvey, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 3}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api"}
		if err := s.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		batch := []store.Contact{
			{Name: "张伟", Phone: "+8613800138000", IDNumber: "110101199003071233"},
			{Name: "李娜", Phone: "+8613900139000", AltPhone: "+8613800138001"},
		}
		if _, err := s.ImportBatch(ctx, job.ID, camp.ID, batch, 0, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDNC(ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613700137000", Source: store.DNCManual, Reason: "投诉 100%"}, store.DNCRefuse); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name     string
			search   store.Search
			contacts []string // names found
			dnc      int64
		}{
			{"all", store.Search{}, []string{"张伟", "李娜"}, 1},
			{"name substring", store.Search{Text: "娜"}, []string{"李娜"}, 0},
			{"text is never a phone prefix", store.Search{Text: "138001"}, nil, 0},
			{"exact phone", store.Search{Exact: []string{"+8613800138000"}}, []string{"张伟"}, 0},
			{"exact alt phone", store.Search{Exact: []string{"+8613800138001"}}, []string{"李娜"}, 0},
			{"exact id", store.Search{Exact: []string{"110101199003071233"}}, []string{"张伟"}, 0},
			{"exact is not prefix", store.Search{Exact: []string{"+861380013800"}}, nil, 0},
			{"prefix", store.Search{Prefix: "1380013"}, []string{"张伟", "李娜"}, 0},
			{"id prefix", store.Search{Prefix: "110101"}, []string{"张伟"}, 0},
			{"dnc exact", store.Search{Exact: []string{"+8613700137000"}}, nil, 1},
			{"dnc reason with wildcard", store.Search{Text: "100%"}, nil, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, total, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID, Search: tc.search})
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, c := range got {
					names = append(names, c.Name)
				}
				if total != int64(len(tc.contacts)) || len(names) != len(tc.contacts) {
					t.Fatalf("contacts %v (total %d), want %v", names, total, tc.contacts)
				}
				for i := range names {
					if names[i] != tc.contacts[i] {
						t.Fatalf("contacts %v, want %v", names, tc.contacts)
					}
				}
				_, n, err := s.ListDNC(ctx, store.DNCFilter{Search: tc.search})
				if err != nil || n != tc.dnc {
					t.Fatalf("dnc hits %d (%v), want %d", n, err, tc.dnc)
				}
			})
		}
	})
}
