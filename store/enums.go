package store

import (
	"maps"
	"slices"
	"strings"
)

// The value sets of the package's enums, in the order the UI and the API
// document show them. Each type's EnumValues reads its list here; nothing
// else spells the values out.

// Roles lists every Role.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleQA, RoleAgent}

// GroupKinds lists every GroupKind.
var GroupKinds = []GroupKind{GroupAgent, GroupExpert, GroupIVR}

// CampaignKinds lists every CampaignKind.
var CampaignKinds = []CampaignKind{KindSurvey, KindNotification, KindCollection, KindConfirmation, KindSales}

// MediaKinds lists every Media.
var MediaKinds = []Media{MediaVoice, MediaIVR, MediaSMS, MediaEmail, MediaFax}

// DialModes lists every DialMode.
var DialModes = []DialMode{DialPreview, DialProgressive, DialPredictive, DialBroadcast}

// MachineActions lists every MachineAction.
var MachineActions = []MachineAction{MachineDrop, MachineLeaveMessage}

// CampaignStatuses lists every CampaignStatus.
var CampaignStatuses = []CampaignStatus{CampaignDraft, CampaignRunning, CampaignPaused, CampaignStopped, CampaignCompleted}

// ContactStatuses lists every ContactStatus.
var ContactStatuses = []ContactStatus{ContactPending, ContactInProgress, ContactCompleted, ContactFailed,
	ContactMaintenance, ContactBlocked, ContactCancelled}

// ImportStatuses lists every ImportStatus.
var ImportStatuses = []ImportStatus{ImportQueued, ImportRunning, ImportDone, ImportFailed, ImportCancelled}

// DNCKinds lists every DNCKind.
var DNCKinds = []DNCKind{DNCPhone, DNCIDNumber}

// DNCSources lists every DNCSource.
var DNCSources = []DNCSource{DNCManual, DNCAgent, DNCImport, DNCInvalidNumber, DNCCustomerRequest}

// DayKinds lists the named DayKinds; "date:YYYY-MM-DD" is the pattern.
var DayKinds = []DayKind{DayWorkday, DayWeekend, DayHoliday}

// DateKinds lists every DateKind.
var DateKinds = []DateKind{DayWorkday, DayHoliday}

// PhoneFields lists the contact phones a strategy may order.
var PhoneFields = []PhoneField{PhonePrimary, PhoneAlt}

// RetryClasses lists the result classes RetryIntervals may name.
var RetryClasses = []RetryClass{ResultBusy, ResultNoAnswer, ResultRejected, ResultNetworkFailure, ResultMachine, ResultAbandoned}

// AssignModes lists every AssignMode.
var AssignModes = []AssignMode{AssignBulk, AssignSingle, AssignReassign, AssignReclaim}

// ExportFormats lists every ExportFormat; the first is the default.
var ExportFormats = []ExportFormat{ExportXLSX, ExportCSV}

// BroadcastKinds lists every BroadcastKind.
var BroadcastKinds = []BroadcastKind{BroadcastAnnouncement, BroadcastWallboard}

// SoftphoneModes lists every SoftphoneMode.
var SoftphoneModes = []SoftphoneMode{SoftphoneRegistered, SoftphoneNailedUp}

func (Role) EnumValues() []string           { return enumStrings(Roles) }
func (Permission) EnumValues() []string     { return enumStrings(AllPermissions) }
func (GroupKind) EnumValues() []string      { return enumStrings(GroupKinds) }
func (CampaignKind) EnumValues() []string   { return enumStrings(CampaignKinds) }
func (Media) EnumValues() []string          { return enumStrings(MediaKinds) }
func (DialMode) EnumValues() []string       { return enumStrings(DialModes) }
func (MachineAction) EnumValues() []string  { return enumStrings(MachineActions) }
func (CampaignStatus) EnumValues() []string { return enumStrings(CampaignStatuses) }
func (ContactStatus) EnumValues() []string  { return enumStrings(ContactStatuses) }
func (ImportStatus) EnumValues() []string   { return enumStrings(ImportStatuses) }
func (DNCKind) EnumValues() []string        { return enumStrings(DNCKinds) }
func (DNCSource) EnumValues() []string      { return enumStrings(DNCSources) }
func (DayKind) EnumValues() []string        { return enumStrings(DayKinds) }
func (DateKind) EnumValues() []string       { return enumStrings(DateKinds) }
func (PhoneField) EnumValues() []string     { return enumStrings(PhoneFields) }
func (RetryClass) EnumValues() []string     { return enumStrings(RetryClasses) }
func (ExportFormat) EnumValues() []string   { return enumStrings(ExportFormats) }
func (AssignMode) EnumValues() []string     { return enumStrings(AssignModes) }
func (BroadcastKind) EnumValues() []string  { return enumStrings(BroadcastKinds) }
func (SoftphoneMode) EnumValues() []string  { return enumStrings(SoftphoneModes) }

// EnumValues of ExportStatus: the business classes of ExportClass, then the
// contact statuses that are not also a class name.
func (ExportStatus) EnumValues() []string {
	out := slices.Sorted(maps.Keys(ExportClass))
	for _, s := range ContactStatuses {
		if _, isClass := ExportClass[string(s)]; !isClass {
			out = append(out, string(s))
		}
	}
	return out
}

// EnumPattern: a window may also name one date.
func (DayKind) EnumPattern() (re, hint string) {
	return `^` + datePrefix + `\d{4}-\d{2}-\d{2}$`, datePrefix + "YYYY-MM-DD"
}

// MatchPattern accepts "date:" and a real calendar date.
func (DayKind) MatchPattern(s string) bool {
	d, ok := strings.CutPrefix(s, datePrefix)
	return ok && validDate(d)
}
