package store

import (
	"context"
	"fmt"
	"time"
)

// NotDialable says why a contact may not be dialed now; "" means it may.
// The values are stable codes the UI translates.
type NotDialable = string

const (
	ReasonBlacklisted  NotDialable = "blacklisted"        // phone or ID on the do-not-call list
	ReasonCompleted    NotDialable = "completed"          // already reached
	ReasonFailed       NotDialable = "failed"             // attempts used up earlier
	ReasonMaintenance  NotDialable = "maintenance"        // numbers need fixing
	ReasonCancelled    NotDialable = "cancelled"          // taken out by a supervisor
	ReasonInProgress   NotDialable = "in_progress"        // a call is up now
	ReasonDND          NotDialable = "do_not_disturb"     // customer asked for quiet until a date
	ReasonAttemptsUsed NotDialable = "attempts_exhausted" // per contact or per number limit reached
	ReasonRetryNotDue  NotDialable = "retry_not_due"      // next_attempt_at is later
	ReasonOutsideHours NotDialable = "outside_window"     // the calendar is closed for this customer type now
	ReasonOutsidePer   NotDialable = "outside_period"     // before or after the strategy's period
	ReasonNoNumber     NotDialable = "no_number"          // no number left in the phone order
	ReasonCallback     NotDialable = "callback_scheduled" // a callback is booked for later
	ReasonAbandoned    NotDialable = "abandoned_recently" // abandoned within 72 h: only a call with an agent ready may follow
)

// AbandonQuiet is how long a contact whose answered call was abandoned is not
// called again by a predictive campaign (Ofcom: 72 h unless an agent is
// guaranteed, as in preview and progressive modes).
const AbandonQuiet = 72 * time.Hour

// DialRules holds what the dial-time check needs for one campaign, loaded
// once (per dialer tick, or per page of contacts) and then used without I/O.
type DialRules struct {
	Campaign *Campaign
	Strategy *Strategy // nil: no limits but the contact's status
	Calendar *Calendar // nil: always open
}

// DialRules loads the campaign's strategy and calendar.
func (s *Store) DialRules(ctx context.Context, camp *Campaign) (*DialRules, error) {
	r := &DialRules{Campaign: camp}
	if camp.StrategyID == nil {
		return r, nil
	}
	st, err := s.GetStrategy(ctx, *camp.StrategyID)
	if err != nil {
		return nil, fmt.Errorf("store: dial rules of campaign %d: %w", camp.ID, err)
	}
	r.Strategy = st
	cal, err := s.GetCalendar(ctx, st.CalendarID)
	if err != nil {
		return nil, fmt.Errorf("store: dial rules of campaign %d: %w", camp.ID, err)
	}
	r.Calendar = cal
	return r, nil
}

var statusReasons = map[ContactStatus]NotDialable{
	ContactBlocked: ReasonBlacklisted, ContactCompleted: ReasonCompleted, ContactFailed: ReasonFailed,
	ContactMaintenance: ReasonMaintenance, ContactCancelled: ReasonCancelled, ContactInProgress: ReasonInProgress,
}

// Reason answers "may this contact be dialed now, and if not why" from the
// contact's own fields and the rules; it does no I/O. The blacklist is
// reflected through the blocked status, kept in step when entries are added.
// A due callback is dialed whatever the attempt limits, retry interval and
// calling window say: the customer chose the time.
func (r *DialRules) Reason(c *Contact, now time.Time) NotDialable {
	if why, ok := statusReasons[c.Status]; ok {
		return why
	}
	if c.DNDUntil != nil && now.Before(*c.DNDUntil) {
		return ReasonDND
	}
	if st := r.Strategy; st != nil && !st.InPeriod(now, r.location()) {
		return ReasonOutsidePer
	}
	if c.CallbackAt != nil {
		if now.Before(*c.CallbackAt) {
			return ReasonCallback
		}
		return ""
	}
	if why := r.limitsReason(c); why != "" {
		return why
	}
	if c.NextAttemptAt != nil && now.Before(*c.NextAttemptAt) {
		return ReasonRetryNotDue
	}
	if r.abandonQuiet(c, now) {
		return ReasonAbandoned
	}
	if r.Calendar != nil && !r.Calendar.Open(now, c.CustomerType) {
		return ReasonOutsideHours
	}
	return ""
}

// limitsReason checks the numbers and the attempt limits.
func (r *DialRules) limitsReason(c *Contact) NotDialable {
	if len(r.dialablePhones(c)) == 0 {
		return ReasonNoNumber
	}
	if r.Strategy != nil && c.Attempts >= r.Strategy.AttemptsPerContact() {
		return ReasonAttemptsUsed
	}
	if r.NextPhone(c) == "" {
		return ReasonAttemptsUsed
	}
	return ""
}

// abandonQuiet reports whether a predictive campaign must still leave the
// contact alone after an abandoned call.
func (r *DialRules) abandonQuiet(c *Contact, now time.Time) bool {
	return r.Campaign != nil && r.Campaign.DialMode == DialPredictive && c.AbandonedAt != nil &&
		now.Before(c.AbandonedAt.Add(AbandonQuiet))
}

func (r *DialRules) location() *time.Location {
	if r.Calendar != nil {
		return r.Calendar.Location()
	}
	return time.UTC
}

// phoneSlot is one of a contact's numbers with what the dialer knows of it.
type phoneSlot struct {
	field  string // phone or alt_phone
	number string
	used   int
	status NumberStatus
}

func (r *DialRules) order() []string {
	if r.Strategy != nil && len(r.Strategy.PhoneOrder) > 0 {
		return r.Strategy.PhoneOrder
	}
	return defaultPhoneOrder
}

// defaultPhoneOrder is the order without a strategy.
var defaultPhoneOrder = []string{string(PhonePrimary), string(PhoneAlt)}

// dialablePhones are the contact's numbers in the strategy's order that are
// present and not known to be invalid, disconnected or wrong.
func (r *DialRules) dialablePhones(c *Contact) []phoneSlot {
	var out []phoneSlot
	for _, f := range r.order() {
		p := phoneSlot{field: f, number: c.Phone, used: c.PhoneAttempts, status: c.PhoneStatus}
		if f == "alt_phone" {
			p = phoneSlot{field: f, number: c.AltPhone, used: c.AltAttempts, status: c.AltStatus}
		}
		if p.number != "" && p.status.Dialable() {
			out = append(out, p)
		}
	}
	return out
}

// NextPhone is the number to dial next ("" if none): the first dialable
// number in the strategy's phone order that has had fewer than min_attempts
// tries; once every number has had its minimum, the one with the fewest tries
// below max_attempts (the earlier in the order on a tie), so the numbers take
// turns. A number marked invalid, disconnected or wrong is skipped.
func (r *DialRules) NextPhone(c *Contact) string {
	minPer, maxPer := 1, 0
	if r.Strategy != nil {
		minPer, maxPer = r.Strategy.MinAttempts, r.Strategy.MaxAttempts
	}
	phones := r.dialablePhones(c)
	for _, p := range phones {
		if p.used < minPer && (maxPer == 0 || p.used < maxPer) {
			return p.number
		}
	}
	best := -1
	for i, p := range phones {
		if (maxPer == 0 || p.used < maxPer) && (best < 0 || p.used < phones[best].used) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return phones[best].number
}

// PhoneFor is the number a claim is to be dialed on: the callback's number
// for a callback, else NextPhone.
func (r *DialRules) PhoneFor(cl *Claim) string {
	if cl.Callback != nil && cl.Callback.Phone != "" {
		return cl.Callback.Phone
	}
	return r.NextPhone(&cl.Contact)
}

// DialCheck is the check the dialer makes right before dialing: Reason plus
// a fresh blacklist lookup, so a number blacklisted a second ago is never
// dialed even if its contact row has not been updated yet.
func (s *Store) DialCheck(ctx context.Context, r *DialRules, c *Contact, now time.Time) (NotDialable, error) {
	if why := r.Reason(c, now); why != "" {
		return why, nil
	}
	phones := []string{c.Phone}
	if c.AltPhone != "" {
		phones = append(phones, c.AltPhone)
	}
	var ids []string
	if c.IDNumber != "" {
		ids = []string{c.IDNumber}
	}
	hit, err := s.BlockedValues(ctx, phones, ids)
	if err != nil {
		return "", err
	}
	if len(hit) > 0 {
		return ReasonBlacklisted, nil
	}
	return "", nil
}

// CheckClaim is the runner's dial-time check of one claimed contact: the
// number to dial, or why not to dial now. It is DialCheck plus the callback's
// own number (which must not be blacklisted either).
func (s *Store) CheckClaim(ctx context.Context, r *DialRules, cl *Claim, now time.Time) (phone string, why NotDialable, err error) {
	if why, err = s.DialCheck(ctx, r, &cl.Contact, now); err != nil || why != "" {
		return "", why, err
	}
	phone = r.PhoneFor(cl)
	if phone == "" {
		return "", ReasonNoNumber, nil
	}
	if phone != cl.Contact.Phone && phone != cl.Contact.AltPhone {
		hit, err := s.BlockedValues(ctx, []string{phone}, nil)
		if err != nil {
			return "", "", err
		}
		if hit[phone] {
			return "", ReasonBlacklisted, nil
		}
	}
	return phone, "", nil
}
