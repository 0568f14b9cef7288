package controller

import "strings"

// ResultClass is the outcome of one dial attempt as campaigns and reports
// see it; retries and do-not-call decisions key on it.
type ResultClass string

// Result classes.
const (
	ResultAnswered       ResultClass = "answered"
	ResultBusy           ResultClass = "busy"
	ResultNoAnswer       ResultClass = "no_answer"
	ResultInvalidNumber  ResultClass = "invalid_number"
	ResultRejected       ResultClass = "rejected"
	ResultNetworkFailure ResultClass = "network_failure"
	ResultCancelled      ResultClass = "cancelled"
	ResultMachine        ResultClass = "machine"
)

type causeRow struct {
	code  int
	class ResultClass // for a call that was never answered
}

// hangupCauses lists every FreeSWITCH hangup cause (freeswitch-esl.md 3.2)
// with its number and the class of an unanswered call that ends with it.
// NORMAL_CLEARING on an unanswered leg is the far end giving up while
// ringing, hence no_answer.
var hangupCauses = map[string]causeRow{
	"NONE":                           {0, ResultNetworkFailure},
	"UNALLOCATED_NUMBER":             {1, ResultInvalidNumber},
	"NO_ROUTE_TRANSIT_NET":           {2, ResultNetworkFailure},
	"NO_ROUTE_DESTINATION":           {3, ResultInvalidNumber},
	"CHANNEL_UNACCEPTABLE":           {6, ResultNetworkFailure},
	"CALL_AWARDED_DELIVERED":         {7, ResultAnswered},
	"NORMAL_CLEARING":                {16, ResultNoAnswer},
	"USER_BUSY":                      {17, ResultBusy},
	"NO_USER_RESPONSE":               {18, ResultNoAnswer},
	"NO_ANSWER":                      {19, ResultNoAnswer},
	"SUBSCRIBER_ABSENT":              {20, ResultNoAnswer},
	"CALL_REJECTED":                  {21, ResultRejected},
	"NUMBER_CHANGED":                 {22, ResultInvalidNumber},
	"REDIRECTION_TO_NEW_DESTINATION": {23, ResultInvalidNumber},
	"EXCHANGE_ROUTING_ERROR":         {25, ResultNetworkFailure},
	"DESTINATION_OUT_OF_ORDER":       {27, ResultNetworkFailure},
	"INVALID_NUMBER_FORMAT":          {28, ResultInvalidNumber},
	"FACILITY_REJECTED":              {29, ResultRejected},
	"RESPONSE_TO_STATUS_ENQUIRY":     {30, ResultNetworkFailure},
	"NORMAL_UNSPECIFIED":             {31, ResultNetworkFailure},
	"NORMAL_CIRCUIT_CONGESTION":      {34, ResultNetworkFailure},
	"NETWORK_OUT_OF_ORDER":           {38, ResultNetworkFailure},
	"NORMAL_TEMPORARY_FAILURE":       {41, ResultNetworkFailure},
	"SWITCH_CONGESTION":              {42, ResultNetworkFailure},
	"ACCESS_INFO_DISCARDED":          {43, ResultNetworkFailure},
	"REQUESTED_CHAN_UNAVAIL":         {44, ResultNetworkFailure},
	"PRE_EMPTED":                     {45, ResultNetworkFailure},
	"FACILITY_NOT_SUBSCRIBED":        {50, ResultRejected},
	"OUTGOING_CALL_BARRED":           {52, ResultRejected},
	"INCOMING_CALL_BARRED":           {54, ResultRejected},
	"BEARERCAPABILITY_NOTAUTH":       {57, ResultRejected},
	"BEARERCAPABILITY_NOTAVAIL":      {58, ResultNetworkFailure},
	"SERVICE_UNAVAILABLE":            {63, ResultNetworkFailure},
	"BEARERCAPABILITY_NOTIMPL":       {65, ResultNetworkFailure},
	"CHAN_NOT_IMPLEMENTED":           {66, ResultNetworkFailure},
	"FACILITY_NOT_IMPLEMENTED":       {69, ResultNetworkFailure},
	"SERVICE_NOT_IMPLEMENTED":        {79, ResultNetworkFailure},
	"INVALID_CALL_REFERENCE":         {81, ResultNetworkFailure},
	"INCOMPATIBLE_DESTINATION":       {88, ResultNetworkFailure},
	"INVALID_MSG_UNSPECIFIED":        {95, ResultNetworkFailure},
	"MANDATORY_IE_MISSING":           {96, ResultNetworkFailure},
	"MESSAGE_TYPE_NONEXIST":          {97, ResultNetworkFailure},
	"WRONG_MESSAGE":                  {98, ResultNetworkFailure},
	"IE_NONEXIST":                    {99, ResultNetworkFailure},
	"INVALID_IE_CONTENTS":            {100, ResultNetworkFailure},
	"WRONG_CALL_STATE":               {101, ResultNetworkFailure},
	"RECOVERY_ON_TIMER_EXPIRE":       {102, ResultNetworkFailure},
	"MANDATORY_IE_LENGTH_ERROR":      {103, ResultNetworkFailure},
	"PROTOCOL_ERROR":                 {111, ResultNetworkFailure},
	"INTERWORKING":                   {127, ResultNetworkFailure},
	"SUCCESS":                        {142, ResultAnswered},
	"ORIGINATOR_CANCEL":              {487, ResultCancelled},
	"CRASH":                          {700, ResultNetworkFailure},
	"SYSTEM_SHUTDOWN":                {701, ResultNetworkFailure},
	"LOSE_RACE":                      {702, ResultCancelled},
	"MANAGER_REQUEST":                {703, ResultCancelled},
	"BLIND_TRANSFER":                 {800, ResultAnswered},
	"ATTENDED_TRANSFER":              {801, ResultAnswered},
	"ALLOTTED_TIMEOUT":               {802, ResultCancelled},
	"USER_CHALLENGE":                 {803, ResultRejected},
	"MEDIA_TIMEOUT":                  {804, ResultNetworkFailure},
	"PICKED_OFF":                     {805, ResultCancelled},
	"USER_NOT_REGISTERED":            {806, ResultNetworkFailure},
	"PROGRESS_TIMEOUT":               {807, ResultNetworkFailure},
	"INVALID_GATEWAY":                {808, ResultNetworkFailure},
	"GATEWAY_DOWN":                   {809, ResultNetworkFailure},
	"INVALID_URL":                    {810, ResultNetworkFailure},
	"INVALID_PROFILE":                {811, ResultNetworkFailure},
	"NO_PICKUP":                      {812, ResultNoAnswer},
	"SRTP_READ_ERROR":                {813, ResultNetworkFailure},
	"BOWOUT":                         {814, ResultAnswered},
	"BUSY_EVERYWHERE":                {815, ResultBusy},
	"DECLINE":                        {816, ResultRejected},
	"DOES_NOT_EXIST_ANYWHERE":        {817, ResultInvalidNumber},
	"NOT_ACCEPTABLE":                 {818, ResultNetworkFailure},
	"UNWANTED":                       {819, ResultRejected},
	"NO_IDENTITY":                    {820, ResultRejected},
	"BAD_IDENTITY_INFO":              {821, ResultRejected},
	"UNSUPPORTED_CERTIFICATE":        {822, ResultRejected},
	"INVALID_IDENTITY":               {823, ResultRejected},
	"STALE_DATE":                     {824, ResultRejected},
	"REJECT_ALL":                     {825, ResultRejected},
}

// sipCauses is mod_sofia's mapping of a final SIP response on an outbound
// leg to a hangup cause (freeswitch-esl.md 3.2); other codes give
// NORMAL_UNSPECIFIED.
var sipCauses = map[int]string{
	200: "NORMAL_CLEARING",
	401: "CALL_REJECTED", 402: "CALL_REJECTED", 403: "CALL_REJECTED", 407: "CALL_REJECTED",
	603: "CALL_REJECTED", 608: "CALL_REJECTED",
	607: "UNWANTED",
	404: "UNALLOCATED_NUMBER",
	485: "NO_ROUTE_DESTINATION", 604: "NO_ROUTE_DESTINATION",
	408: "RECOVERY_ON_TIMER_EXPIRE", 504: "RECOVERY_ON_TIMER_EXPIRE",
	410: "NUMBER_CHANGED",
	413: "INTERWORKING", 414: "INTERWORKING", 416: "INTERWORKING", 420: "INTERWORKING",
	421: "INTERWORKING", 423: "INTERWORKING", 505: "INTERWORKING", 513: "INTERWORKING",
	480: "NO_USER_RESPONSE",
	400: "NORMAL_TEMPORARY_FAILURE", 481: "NORMAL_TEMPORARY_FAILURE",
	500: "NORMAL_TEMPORARY_FAILURE", 503: "NORMAL_TEMPORARY_FAILURE",
	486: "USER_BUSY", 600: "USER_BUSY",
	484: "INVALID_NUMBER_FORMAT",
	488: "INCOMPATIBLE_DESTINATION", 606: "INCOMPATIBLE_DESTINATION",
	502: "NETWORK_OUT_OF_ORDER",
	405: "SERVICE_UNAVAILABLE",
	406: "SERVICE_NOT_IMPLEMENTED", 415: "SERVICE_NOT_IMPLEMENTED", 501: "SERVICE_NOT_IMPLEMENTED",
	482: "EXCHANGE_ROUTING_ERROR", 483: "EXCHANGE_ROUTING_ERROR",
	487: "ORIGINATOR_CANCEL",
	428: "NO_IDENTITY",
	429: "BAD_IDENTITY_INFO",
	437: "UNSUPPORTED_CERTIFICATE",
	438: "INVALID_IDENTITY",
}

// CauseFromSIP returns the hangup cause FreeSWITCH gives a final SIP code.
func CauseFromSIP(code int) string {
	if c, ok := sipCauses[code]; ok {
		return c
	}
	return "NORMAL_UNSPECIFIED"
}

// CauseCode returns the number of a hangup cause name (case-insensitive).
func CauseCode(cause string) (int, bool) {
	row, ok := hangupCauses[strings.ToUpper(cause)]
	return row.code, ok
}

// Classify gives the result class of a finished leg. An answered leg is
// answered whatever the cause (a machine is flagged by the caller from AMD
// variables). For an unanswered leg the hangup cause decides; the SIP code
// is used only when the cause is missing or unknown, because FreeSWITCH
// already derived the cause from it.
func Classify(cause string, sipCode int, answered bool) ResultClass {
	if answered {
		return ResultAnswered
	}
	if row, ok := hangupCauses[strings.ToUpper(cause)]; ok {
		return row.class
	}
	if sipCode >= 300 {
		return hangupCauses[CauseFromSIP(sipCode)].class
	}
	return ResultNetworkFailure
}
