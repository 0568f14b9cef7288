package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// clock is a settable time source for store tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestCampaign(t *testing.T, s *store.Store, name string) *store.Campaign {
	t.Helper()
	camp := &store.Campaign{Name: name, Kind: store.KindCollection, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 5}
	if err := s.CreateCampaign(context.Background(), camp); err != nil {
		t.Fatal(err)
	}
	return camp
}

// importContacts stores contacts through the import path and returns them in id order.
func importContacts(t *testing.T, s *store.Store, campID int64, cs ...store.Contact) []store.Contact {
	t.Helper()
	ctx := context.Background()
	job := &store.ImportJob{CampaignID: campID, Source: "api"}
	if err := s.CreateImportJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportBatch(ctx, job.ID, campID, cs, 0, 0); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: campID})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func reasonTexts(e store.DNCEntry) []string {
	var out []string
	for _, r := range e.Reasons {
		out = append(out, r.Reason+"/"+r.CreatedByName)
	}
	return out
}

func TestAddDNCNeverOverwritesAReason(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		legal, clerk := newUser(t, s, "legal", store.RoleSupervisor), newUser(t, s, "clerk", store.RoleSupervisor)
		first := &store.DNCEntry{Kind: store.DNCIDNumber, Value: "110101199003071233", Reason: "法务要求停止催收",
			Source: store.DNCManual, CreatedBy: legal.ID}
		if _, err := s.AddDNC(ctx, first, store.DNCRefuse); err != nil {
			t.Fatal(err)
		}

		again := &store.DNCEntry{Kind: store.DNCIDNumber, Value: "110101199003071233", Reason: "dup", Source: store.DNCManual, CreatedBy: clerk.ID}
		_, err := s.AddDNC(ctx, again, store.DNCRefuse)
		var exists *store.DNCExistsError
		if !errors.As(err, &exists) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("re-adding answered %v, want DNCExistsError", err)
		}
		if exists.Entry.ID != first.ID || exists.Entry.Reason != "法务要求停止催收" || exists.Entry.CreatedByName != "legal" {
			t.Fatalf("conflict carries %+v", exists.Entry)
		}
		list, _, err := s.ListDNC(ctx, store.DNCFilter{})
		if err != nil || len(list) != 1 || list[0].Reason != "法务要求停止催收" || len(list[0].Reasons) != 1 {
			t.Fatalf("after a refused re-add: %+v %v", list, err)
		}

		res, err := s.AddDNC(ctx, again, store.DNCAddReason)
		if err != nil || !res.ReasonAdded || again.ID != first.ID {
			t.Fatalf("add reason: %+v id %d, %v", res, again.ID, err)
		}
		list, _, _ = s.ListDNC(ctx, store.DNCFilter{})
		want := []string{"法务要求停止催收/legal", "dup/clerk"}
		if len(list) != 1 || list[0].Reason != "法务要求停止催收" || !equalStrings(reasonTexts(list[0]), want) {
			t.Fatalf("history %v, want %v", reasonTexts(list[0]), want)
		}

		// Removing the entry removes its history with it.
		if _, _, err := s.DeleteDNC(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		fresh := &store.DNCEntry{Kind: store.DNCIDNumber, Value: "110101199003071233", Reason: "新", Source: store.DNCManual}
		if _, err := s.AddDNC(ctx, fresh, store.DNCRefuse); err != nil || len(fresh.Reasons) != 1 {
			t.Fatalf("listed after removal: %+v %v", fresh.Reasons, err)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// An expired do-not-disturb entry the sweep has not removed yet is listed
// again (it blocks again) and keeps its earlier reason.
func TestAddDNCListsAnExpiredEntryAgain(t *testing.T) {
	clk := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	storetest.RunWith(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		camp := newTestCampaign(t, s, "免打扰")
		importContacts(t, s, camp.ID, store.Contact{Name: "张伟", Phone: "+8613800138000"})
		until := clk.t.Add(time.Hour)
		dnd := &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613800138000", Reason: "客户要求一小时内勿扰", Source: store.DNCCustomerRequest, ExpiresAt: &until}
		if res, err := s.AddDNC(ctx, dnd, store.DNCRefuse); err != nil || res.Blocked != 1 {
			t.Fatalf("dnd: %+v %v", res, err)
		}
		clk.t = clk.t.Add(2 * time.Hour) // the period is over; the sweep has not run yet
		now := &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613800138000", Reason: "投诉", Source: store.DNCManual}
		res, err := s.AddDNC(ctx, now, store.DNCRefuse)
		if err != nil || res.ReasonAdded || now.ID != dnd.ID || now.ExpiresAt != nil {
			t.Fatalf("listing an expired value again: %+v %+v %v", res, now, err)
		}
		if got := reasonTexts(*now); !equalStrings(got, []string{"客户要求一小时内勿扰/", "投诉/"}) {
			t.Fatalf("reasons %v", got)
		}
		// The sweep leaves it alone now.
		if n, err := s.ReleaseExpiredDNC(ctx); err != nil || n != 0 {
			t.Fatalf("sweep released %d (%v)", n, err)
		}
		if list, _, _ := s.ListDNC(ctx, store.DNCFilter{}); len(list) != 1 {
			t.Fatalf("entries after sweep: %+v", list)
		}
	})
}

func TestAddDNCBatchReportsDuplicatesAndKeepsReasons(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		listed := &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613800138000", Reason: "法务要求停止催收", Source: store.DNCManual}
		if _, err := s.AddDNC(ctx, listed, store.DNCRefuse); err != nil {
			t.Fatal(err)
		}
		batch := []store.DNCEntry{
			{Kind: store.DNCPhone, Value: "+8613800138000", Reason: "dup", Source: store.DNCImport},
			{Kind: store.DNCIDNumber, Value: "440305198512310026", Reason: "批量", Source: store.DNCImport},
			{Kind: store.DNCIDNumber, Value: "440305198512310026", Reason: "批量", Source: store.DNCImport},
			{Kind: store.DNCPhone, Value: "+8613900139000", Reason: "批量", Source: store.DNCImport},
		}
		res, err := s.AddDNCBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.DNCDuplicate{{Index: 0, EntryID: listed.ID, OfIndex: -1}, {Index: 2, OfIndex: 1}}
		if res.Added != 2 || len(res.Duplicates) != 2 || res.Duplicates[0] != want[0] || res.Duplicates[1] != want[1] {
			t.Fatalf("batch result %+v, want added 2 and duplicates %+v", res, want)
		}
		list, total, _ := s.ListDNC(ctx, store.DNCFilter{Kind: store.DNCPhone, Search: store.Search{Exact: []string{"+8613800138000"}}})
		if total != 1 || list[0].Reason != "法务要求停止催收" || len(list[0].Reasons) != 1 {
			t.Fatalf("the listed entry changed: %+v", list)
		}
	})
}

func TestBlacklistMatchesNameTheEntries(t *testing.T) {
	clk := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	storetest.RunWith(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		legal := newUser(t, s, "legal", store.RoleSupervisor)
		camp := newTestCampaign(t, s, "催收")
		cs := importContacts(t, s, camp.ID,
			store.Contact{Name: "张伟", Phone: "+8613800138000", AltPhone: "+861012345678", IDNumber: "110101199003071233"},
			store.Contact{Name: "李娜", Phone: "+8613900139000"},
			store.Contact{Name: "王芳", Phone: "+8613700137000"})
		past := clk.t.Add(-time.Hour)
		for _, e := range []store.DNCEntry{
			{Kind: store.DNCPhone, Value: "+861012345678", Reason: "空号", Source: store.DNCInvalidNumber, CreatedBy: legal.ID},
			{Kind: store.DNCIDNumber, Value: "110101199003071233", Reason: "法务要求停止催收", Source: store.DNCManual, CreatedBy: legal.ID},
			{Kind: store.DNCPhone, Value: "+8613700137000", Reason: "过期", Source: store.DNCManual, ExpiresAt: &past},
		} {
			if _, err := s.AddDNC(ctx, &e, store.DNCRefuse); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.BlacklistMatches(ctx, cs)
		if err != nil {
			t.Fatal(err)
		}
		zw := got[cs[0].ID]
		if len(got) != 1 || len(zw) != 2 {
			t.Fatalf("matches %+v", got)
		}
		if zw[0].Field != "alt_phone" || zw[0].Reason != "空号" || zw[0].Source != store.DNCInvalidNumber || zw[0].CreatedByName != "legal" {
			t.Fatalf("alt phone match %+v", zw[0])
		}
		if zw[1].Field != "id_number" || zw[1].Kind != store.DNCIDNumber || zw[1].Reasons[0].Reason != "法务要求停止催收" {
			t.Fatalf("ID match %+v", zw[1])
		}
	})
}
