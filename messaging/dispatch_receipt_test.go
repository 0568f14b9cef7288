package messaging

import (
	"context"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// lateIDStore answers the first receipt lookup "unknown" and, before that
// answer reaches the dispatcher, lets the send store its id: the window
// in which a receipt right behind submit_sm_resp used to be kept forever.
type lateIDStore struct {
	Store
	d       *Dispatcher
	lookups int
}

func (s *lateIDStore) RecordReceipt(_ context.Context, r store.Receipt) (bool, error) {
	if r.ProviderID != "m1" {
		return false, nil // nobody has stored this id yet
	}
	s.lookups++
	if s.lookups == 1 {
		if _, ok := s.d.takeEarly(r.Provider, r.ProviderID); ok {
			panic("nothing was kept yet")
		}
		return false, nil
	}
	return true, nil
}

func TestReceiptRacingItsSendIsRecorded(t *testing.T) {
	st := &lateIDStore{}
	d := NewDispatcher(st, nil, nil)
	st.d = d
	d.Receipt(Receipt{Provider: "smpp", ProviderID: "m1", Status: ReceiptDelivered})
	if st.lookups != 2 {
		t.Fatalf("lookups %d, want a second one once the id was stored", st.lookups)
	}
	if len(d.early) != 0 {
		t.Fatalf("receipt kept for a send that has passed: %v", d.early)
	}
	// A receipt for an id nobody stored yet is still kept for its send.
	d.Receipt(Receipt{Provider: "smpp", ProviderID: "m2", Status: ReceiptDelivered})
	if _, ok := d.takeEarly("smpp", "m2"); !ok {
		t.Fatal("an early receipt was not kept")
	}
}
