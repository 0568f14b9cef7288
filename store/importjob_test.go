package store_test

import (
	"context"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestImportBatchKeepsValuesExactly stores awkward values through the bulk
// path (LOAD DATA on MySQL, INSERT on SQLite) and reads them back intact.
func TestImportBatchKeepsValuesExactly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		camp := &store.Campaign{Name: "逐字", Kind: store.KindSurvey, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 3}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api"}
		if err := s.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		odd := store.Contact{Name: "王\t小\\明\n", Phone: "+8613800138000", CustomerType: `VIP "金卡"`,
			Attributes: store.Attributes{"备注": "逾期\t3期\\N", "json": `{"a":1}`}}
		plain := store.Contact{Name: "李娜", Phone: "+8613900139000", AltPhone: "+861012345678", IDNumber: "11010119900307123X"}
		r, err := s.ImportBatch(ctx, job.ID, camp.ID, []store.Contact{odd, plain, {Name: "重复", Phone: "+8613800138000"}}, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The third repeats a phone inside the batch: the store counts it as a duplicate.
		if r.Imported != 2 || r.Duplicates != 1 {
			t.Fatalf("result %+v", r)
		}
		got, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID})
		if err != nil || len(got) != 2 {
			t.Fatalf("contacts %v %v", got, err)
		}
		g := got[0]
		if g.Name != odd.Name || g.CustomerType != odd.CustomerType || g.Attributes["备注"] != "逾期\t3期\\N" || g.Attributes["json"] != `{"a":1}` || g.Status != store.ContactPending {
			t.Fatalf("stored %+v", g)
		}
		if got[1].IDNumber != "11010119900307123X" || got[1].AltPhone != "+861012345678" || got[1].ImportJobID == nil || *got[1].ImportJobID != job.ID {
			t.Fatalf("stored %+v", got[1])
		}
		j, _ := s.GetImportJob(ctx, job.ID)
		if j.Total != 4 || j.Imported != 2 || j.Duplicates != 1 || j.Rejected != 1 {
			t.Fatalf("job counters %+v", j)
		}
	})
}

// TestImportBatchNamesWhatADuplicateRepeats: a duplicate names the contact
// already holding its phone, or the earlier contact of the batch.
func TestImportBatchNamesWhatADuplicateRepeats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		camp := newTestCampaign(t, s, "重复")
		held := importContacts(t, s, camp.ID, store.Contact{Name: "张伟", Phone: "+8613800138000"})[0]
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api"}
		if err := s.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		r, err := s.ImportBatch(ctx, job.ID, camp.ID, []store.Contact{
			{Name: "李娜", Phone: "+8613900139000"}, {Name: "张伟", Phone: "+8613800138000"}, {Name: "李娜2", Phone: "+8613900139000"},
		}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.BatchDuplicate{{Index: 1, ContactID: held.ID, OfIndex: -1}, {Index: 2, OfIndex: 0}}
		if r.Imported != 1 || r.Duplicates != 2 || len(r.Duplicate) != 2 || r.Duplicate[0] != want[0] || r.Duplicate[1] != want[1] {
			t.Fatalf("result %+v, want duplicates %+v", r, want)
		}
		ids, err := s.ContactIDsByPhone(ctx, camp.ID, []string{"+8613800138000", "+8613700137000"})
		if err != nil || len(ids) != 1 || ids["+8613800138000"] != held.ID {
			t.Fatalf("ContactIDsByPhone = %v, %v", ids, err)
		}
	})
}
