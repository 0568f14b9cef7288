package ivr

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strconv"
	"strings"

	"github.com/bankcc/callcenter/store"
)

// ContactLookup finds the contact a call is about.
type ContactLookup interface {
	GetContact(ctx context.Context, id int64) (*store.Contact, error)
}

// ContactVerifier checks digits against the contact named by the call's
// cc_contact_id variable: for check "id" the customer keys the whole
// resident ID number (* for a final X) or its last six characters.
type ContactVerifier struct{ Contacts ContactLookup }

// VerifyDigits implements Verifier. It never logs or returns the digits.
func (v ContactVerifier) VerifyDigits(ctx context.Context, call Call, check, digits string) (bool, error) {
	id, err := strconv.ParseInt(call.Vars["cc_contact_id"], 10, 64)
	if err != nil {
		return false, fmt.Errorf("ivr: verify: call %s carries no cc_contact_id", call.UUID)
	}
	c, err := v.Contacts.GetContact(ctx, id)
	if err != nil {
		return false, fmt.Errorf("ivr: verify: %w", err)
	}
	switch check {
	case "id":
		return idMatches(c.IDNumber, digits), nil
	}
	return false, fmt.Errorf("ivr: verify: unknown check %q", check)
}

// idMatches compares in constant time; DTMF has no X, so * stands for it.
func idMatches(idNumber, digits string) bool {
	if idNumber == "" || digits == "" {
		return false
	}
	want := strings.ToUpper(idNumber)
	got := strings.ReplaceAll(digits, "*", "X")
	if len(got) == 6 && len(want) >= 6 {
		want = want[len(want)-6:]
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
