package controller

import "testing"

func TestClassifyEveryCause(t *testing.T) {
	valid := map[ResultClass]bool{
		ResultAnswered: true, ResultBusy: true, ResultNoAnswer: true, ResultInvalidNumber: true,
		ResultRejected: true, ResultNetworkFailure: true, ResultCancelled: true,
	}
	if len(hangupCauses) != 82 {
		t.Errorf("cause table has %d rows, freeswitch-esl.md 3.2 lists 82", len(hangupCauses))
	}
	codes := map[int]string{}
	for name, row := range hangupCauses {
		if !valid[row.class] {
			t.Errorf("%s: class %q", name, row.class)
		}
		if other, dup := codes[row.code]; dup {
			t.Errorf("%s and %s share code %d", name, other, row.code)
		}
		codes[row.code] = name
		if got := Classify(name, 0, true); got != ResultAnswered {
			t.Errorf("answered %s = %s", name, got)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		cause    string
		sip      int
		answered bool
		want     ResultClass
	}{
		{"NORMAL_CLEARING", 200, true, ResultAnswered},
		{"NORMAL_CLEARING", 0, false, ResultNoAnswer},
		{"USER_BUSY", 486, false, ResultBusy},
		{"user_busy", 0, false, ResultBusy},
		{"NO_ANSWER", 0, false, ResultNoAnswer},
		{"NO_USER_RESPONSE", 480, false, ResultNoAnswer},
		{"UNALLOCATED_NUMBER", 404, false, ResultInvalidNumber},
		{"INVALID_NUMBER_FORMAT", 484, false, ResultInvalidNumber},
		{"CALL_REJECTED", 603, false, ResultRejected},
		{"UNWANTED", 607, false, ResultRejected},
		{"GATEWAY_DOWN", 0, false, ResultNetworkFailure},
		{"NORMAL_TEMPORARY_FAILURE", 503, false, ResultNetworkFailure},
		{"ORIGINATOR_CANCEL", 487, false, ResultCancelled},
		{"MANAGER_REQUEST", 0, false, ResultCancelled},
		{"BUSY_EVERYWHERE", 600, false, ResultBusy},
		{"", 486, false, ResultBusy},
		{"", 404, false, ResultInvalidNumber},
		{"SOMETHING_NEW", 603, false, ResultRejected},
		{"", 0, false, ResultNetworkFailure},
		{"", 299, false, ResultNetworkFailure},
	}
	for _, tt := range tests {
		if got := Classify(tt.cause, tt.sip, tt.answered); got != tt.want {
			t.Errorf("Classify(%q, %d, %v) = %s, want %s", tt.cause, tt.sip, tt.answered, got, tt.want)
		}
	}
}

func TestCauseFromSIP(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{200, "NORMAL_CLEARING"}, {486, "USER_BUSY"}, {600, "USER_BUSY"}, {404, "UNALLOCATED_NUMBER"},
		{604, "NO_ROUTE_DESTINATION"}, {408, "RECOVERY_ON_TIMER_EXPIRE"}, {480, "NO_USER_RESPONSE"},
		{503, "NORMAL_TEMPORARY_FAILURE"}, {487, "ORIGINATOR_CANCEL"}, {607, "UNWANTED"},
		{438, "INVALID_IDENTITY"}, {599, "NORMAL_UNSPECIFIED"},
	}
	for _, tt := range tests {
		if got := CauseFromSIP(tt.code); got != tt.want {
			t.Errorf("CauseFromSIP(%d) = %s, want %s", tt.code, got, tt.want)
		}
		if _, ok := hangupCauses[CauseFromSIP(tt.code)]; !ok {
			t.Errorf("CauseFromSIP(%d) gives unknown cause", tt.code)
		}
	}
	if code, ok := CauseCode("user_busy"); !ok || code != 17 {
		t.Errorf("CauseCode(user_busy) = %d, %v", code, ok)
	}
}
