package store

// ResultClass is the outcome of one dial attempt as the dialer settles it.
// The switch-level classes mirror controller.ResultClass (the hangup-cause
// table); human, success and abandoned are what the dialer learns after the
// answer. The store does not import controller: the runner converts.
type ResultClass string

// Result classes beyond the six a strategy may give a retry interval
// (ResultBusy … ResultAbandoned, untyped in strategy.go so they serve as both
// RetryClass and ResultClass).
const (
	ResultInvalidNumber ResultClass = "invalid_number" // unallocated, bad format, number changed
	ResultCancelled     ResultClass = "cancelled"      // we gave up (ring timeout, stop) before an answer
	ResultAnswered      ResultClass = "answered"       // answered; nothing more known (e.g. IVR broadcast played)
	ResultHuman         ResultClass = "human"          // a person answered and talked to an agent
	ResultSuccess       ResultClass = "success"        // the business goal was reached
	ResultLost          ResultClass = "lost"           // the runner died during the call; outcome unknown
)

// ResultClasses are the values FinishAttempt accepts.
var ResultClasses = []ResultClass{ResultBusy, ResultNoAnswer, ResultRejected, ResultNetworkFailure, ResultMachine,
	ResultAbandoned, ResultInvalidNumber, ResultCancelled, ResultAnswered, ResultHuman, ResultSuccess}

// EnumValues lists the result classes FinishAttempt accepts.
func (ResultClass) EnumValues() []string { return enumStrings(ResultClasses) }

// Valid reports whether r is a class FinishAttempt accepts.
func (r ResultClass) Valid() bool { return OneOf(r) }

// Reached reports whether the class means the customer was reached, so the
// contact is done unless the agent asks for another call.
func (r ResultClass) Reached() bool {
	return r == ResultAnswered || r == ResultHuman || r == ResultSuccess
}

// Answered reports whether the call was answered (by anyone or anything).
func (r ResultClass) Answered() bool {
	return r.Reached() || r == ResultMachine || r == ResultAbandoned
}

// NumberStatus is what the dialer knows about one phone number (R12).
type NumberStatus string

// Number statuses. Unknown (never dialed) and valid numbers are dialable;
// the others take the number out of the phone order.
const (
	NumberUnknown      NumberStatus = ""
	NumberValid        NumberStatus = "valid"        // it rang or was answered
	NumberInvalid      NumberStatus = "invalid"      // unallocated or malformed (空号)
	NumberDisconnected NumberStatus = "disconnected" // suspended or out of service (停机)
	NumberWrong        NumberStatus = "wrong"        // answered by someone who is not the customer
)

// NumberStatuses are the statuses a finish may set ("" leaves it to the class).
var NumberStatuses = []NumberStatus{NumberValid, NumberInvalid, NumberDisconnected, NumberWrong}

// EnumValues lists the number statuses.
func (NumberStatus) EnumValues() []string { return enumStrings(NumberStatuses) }

// Dialable reports whether a number in this status may be dialed.
func (n NumberStatus) Dialable() bool { return n == NumberUnknown || n == NumberValid }

func validNumberStatus(n NumberStatus) bool { return n == NumberUnknown || OneOf(n) }

// numberStatusOf is what a result says about the number dialed; ok is false
// when it says nothing (a failure on our side, a cancel).
func numberStatusOf(r ResultClass) (NumberStatus, bool) {
	switch r {
	case ResultInvalidNumber:
		return NumberInvalid, true
	case ResultNetworkFailure, ResultCancelled, ResultLost:
		return "", false
	}
	return NumberValid, true
}

// AMDVerdict is the answering-machine detector's verdict on an answered call
// (the amd app's amd_result, or avmd's beep).
type AMDVerdict string

// AMD verdicts; "" when no detection ran.
const (
	AMDNone    AMDVerdict = ""
	AMDHuman   AMDVerdict = "human"
	AMDMachine AMDVerdict = "machine"
	AMDNotSure AMDVerdict = "notsure"
)

// AMDVerdicts are the verdicts a finish may carry ("" when none ran).
var AMDVerdicts = []AMDVerdict{AMDHuman, AMDMachine, AMDNotSure}

// EnumValues lists the AMD verdicts.
func (AMDVerdict) EnumValues() []string { return enumStrings(AMDVerdicts) }

func validAMD(v AMDVerdict) bool { return v == AMDNone || OneOf(v) }
