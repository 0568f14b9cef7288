package ivr

import (
	"context"
	"testing"

	"github.com/bankcc/callcenter/store"
)

type contactsFake map[int64]*store.Contact

func (f contactsFake) GetContact(_ context.Context, id int64) (*store.Contact, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return nil, store.ErrNotFound
}

func TestContactVerifier(t *testing.T) {
	v := ContactVerifier{Contacts: contactsFake{7: {IDNumber: "44030419870315105X"}, 8: {}}}
	cases := []struct {
		contact, digits string
		ok              bool
		err             bool
	}{
		{"7", "44030419870315105*", true, false},
		{"7", "15105*", true, false},
		{"7", "440304198703151050", false, false},
		{"7", "151050", false, false},
		{"7", "1234", false, false},
		{"8", "123456", false, false}, // no ID on file: never verified
		{"9", "123456", false, true},
		{"", "123456", false, true},
	}
	for _, c := range cases {
		call := Call{UUID: "u", Vars: map[string]string{"cc_contact_id": c.contact}}
		ok, err := v.VerifyDigits(context.Background(), call, "id", c.digits)
		if ok != c.ok || (err != nil) != c.err {
			t.Errorf("contact %s digits %s: %v %v", c.contact, c.digits, ok, err)
		}
	}
}
