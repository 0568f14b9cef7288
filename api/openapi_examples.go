package api

import (
	"reflect"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
)

// examples are the request bodies the OpenAPI document shows, keyed by the
// request type they belong to. They are Go values, so a renamed field does
// not compile, and TestOpenAPIExamplesAreAccepted posts each one to its
// route, so an example the server would refuse fails the build.
var examples = map[reflect.Type]any{
	typeOf[softphoneLoginRequest](): softphoneLoginRequest{Mode: store.SoftphoneRegistered, Ready: true},
	typeOf[stateRequest]():          stateRequest{State: deskBreak, Reason: "lunch"},
	typeOf[previewRequest]():        previewRequest{Dial: true},
	typeOf[transferRequest]():       transferRequest{To: "group:3"},
	typeOf[verifyRequest]():         verifyRequest{Flow: "verify_id"},
	typeOf[dialRequest]():           dialRequest{CallerID: "02161234567", ContactID: 42},
	typeOf[dispositionRequest](): dispositionRequest{Result: "callback", Note: "客户下午有空", CallbackAt: ptr("2035-12-08T15:00:00+08:00"),
		DNC: false, Answers: map[string]any{"q1": "yes"}},
	typeOf[eavesdropRequest]():   eavesdropRequest{Mode: eavesdropMode(controller.EavesdropWhisper)},
	typeOf[loginRequest]():       loginRequest{Username: "admin", Password: examplePassword},
	typeOf[unlockRequest]():      unlockRequest{Password: examplePassword},
	typeOf[clientEventRequest](): clientEventRequest{Action: ClientCopy, Target: "me/tasks:phone", Count: 11},
	typeOf[workstationRequest](): workstationRequest{Name: "pc-agent-01", Note: "三楼A区 1号座"},
	typeOf[workstationReportRequest](): workstationReportRequest{Name: "pc-agent-01", State: store.LockLocked, Platform: "linux",
		Details: map[string]string{"udev_rule": "present", "modprobe_blacklist": "present", "usb_storage_loaded": "no",
			"script_version": "1", "kernel": "6.1.0-26-amd64"}},
	typeOf[groupRequest](): groupRequest{Name: ptr("信用卡催收一组"), Kind: ptr(store.GroupAgent),
		Description: ptr("白班坐席"), AnnounceEveryS: ptr(30), AnnouncePosition: ptr(true), AnnounceWait: ptr(true),
		MaxWaitS: ptr(180), Voicemail: ptr(true), VoicemailMaxS: ptr(120), NotifyEmail: ptr("cards-team@bank.example.cn")},
	typeOf[userRequest](): userRequest{Username: ptr("zhangwei"), Password: ptr("Agent-Pass-2026!"), Role: ptr(store.RoleAgent),
		DisplayName: ptr("张伟"), Extension: ptr("1001"), GroupIDs: ptr([]int64{1}), Level: ptr(3), Skills: ptr("english,cards"),
		Permissions: ptr([]store.Permission{store.PermPIIView})},
	typeOf[calendarRequest](): calendarRequest{Name: ptr("工作日历"), Timezone: ptr("Asia/Shanghai"), UseOfficialHolidays: ptr(true),
		Windows: ptr([]store.CalendarWindow{
			{DayKind: store.DayWorkday, Start: "09:00", End: "20:00"},
			{DayKind: store.DayHoliday, CustomerType: "VIP客户", Start: "10:00", End: "18:00"},
			{DayKind: "date:2026-12-31", Start: "09:00", End: "12:00"}}),
		Dates: ptr([]store.CalendarDate{{Date: "2026-10-01", Kind: store.DayHoliday}, {Date: "2026-09-28", Kind: store.DayWorkday}})},
	typeOf[holidayRequest](): holidayRequest{Date: ptr("2035-10-01"), Name: ptr("国庆节"), Kind: ptr[store.DateKind](store.DayHoliday)},
	typeOf[strategyRequest](): strategyRequest{Name: ptr("催缴策略"), CalendarID: ptr[int64](1),
		PhoneOrder:  ptr([]store.PhoneField{store.PhonePrimary, store.PhoneAlt}),
		MinAttempts: ptr(1), MaxAttempts: ptr(3), MaxAttemptsPerContact: ptr(6), MinRetryIntervalS: ptr(600), MaxRetryIntervalS: ptr(7200),
		RetryIntervals: ptr(map[store.RetryClass]store.RetryRange{
			store.ResultBusy: {MinS: 300, MaxS: 900}, store.ResultNoAnswer: {MinS: 1800, MaxS: 7200}}),
		BatchSize: ptr(50), BatchIntervalS: ptr(60), PeriodStart: ptr("2026-11-24"), PeriodEnd: ptr("2026-12-31")},
	typeOf[campaignRequest](): campaignRequest{Name: ptr("信用卡逾期提醒"), Kind: ptr(store.KindCollection), Media: ptr(store.MediaVoice),
		DialMode: ptr(store.DialProgressive), Priority: ptr(5), StrategyID: ptr[int64](1), GroupID: ptr[int64](1),
		CallerIDs: ptr([]string{"02161234567"}), Gateway: ptr("trunk"), MaxAbandonRate: ptr(0.03),
		ComplianceMessage: ptr("bank/compliance_zh.wav"), MachineAction: ptr(store.MachineLeaveMessage),
		MachineMessage: ptr("bank/machine_zh.wav"), Description: ptr("11月逾期客户"),
		Notify: &[]store.NotifyRule{{On: []string{"同意还款", "投诉"}, Channel: store.NotifyEmail, To: "manager_email",
			Subject: "{{name}} 的回访结果", Text: "客户{{name}}（{{phone}}）的结果：{{result}}"}}},
	typeOf[ingestRequest](): ingestRequest{Contacts: []importer.ContactInput{{Name: "张伟", Phone: "13800138000",
		AltPhone: "010-12345678", IDNumber: "510104200002290038", CustomerType: "VIP客户",
		ManagerEmail: "mgr@bank.example", Attributes: map[string]string{"balance": "1200.50"}}}},
	typeOf[mappingTemplateRequest](): mappingTemplateRequest{Name: "信用卡名单模板",
		Mapping:  map[string]importer.Target{"客户姓名": "name", "手机号码": "phone", "3": "id_number", "欠款金额": "attributes.balance"},
		Encoding: "gbk"},
	typeOf[assignmentRequest](): assignmentRequest{Mode: store.AssignBulk, AgentIDs: []int64{4}, Count: 100},
	typeOf[exportRequest](): exportRequest{CampaignID: 1, Statuses: []store.ExportStatus{"uncompleted", "blocked"},
		Fields:  []exportField{"name", "phone", "status", "attributes.balance"},
		Headers: []string{"姓名", "手机号", "状态", "欠款金额"}, Format: store.ExportXLSX},
	typeOf[exportTemplateRequest](): exportTemplateRequest{Name: "未完成名单", Fields: []exportField{"name", "phone", "last_result"},
		Statuses: []store.ExportStatus{"uncompleted"}, Format: store.ExportCSV},
	typeOf[callbackRequest](): callbackRequest{ContactID: ptr[int64](1), Phone: ptr("13800138000"), AgentID: ptr[int64](4),
		DueAt: ptr(time.Now().Add(48 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)), Note: ptr("客户下午有空")},
	typeOf[pacingSimRequest](): pacingSimRequest{Agents: ptr(55), Hours: ptr(1.0), Seed: ptr[int64](1), MaxAbandonRate: ptr(0.02)},
	typeOf[messageRequest]():   messageRequest{ToUserID: 4, Text: "请帮我看一下信用卡催收一组的队列"},
	typeOf[broadcastRequest](): broadcastRequest{Kind: store.BroadcastWallboard, Title: "系统维护通知",
		Text: "今晚22:00至23:00系统维护，请提前保存工作", To: "all"},
	typeOf[testMessageRequest](): testMessageRequest{Channel: store.NotifyEmail, To: "ops@bank.example", Subject: "测试", Text: "测试消息"},
	typeOf[breakReasonRequest](): breakReasonRequest{Code: ptr("coaching"), LabelZH: ptr("辅导"), LabelEN: ptr("Coaching"), SortOrder: ptr(7)},
	typeOf[shiftRequest](): shiftRequest{Name: ptr("早班"), Start: ptr("08:30"), End: ptr("17:30"), BreakMinutes: ptr(60),
		Timezone: ptr("Asia/Shanghai"), Description: ptr("工作日早班")},
	typeOf[rosterRequest](): rosterRequest{Entries: []store.RosterCell{{AgentID: 4, Date: "2027-01-04", ShiftID: ptr[int64](1)},
		{AgentID: 4, Date: "2027-01-05", DayOff: true, Note: "调休"}}},
	typeOf[rosterAssignRequest](): rosterAssignRequest{AgentIDs: []int64{4}, From: "2027-01-11", To: "2027-01-17",
		Weekdays: []int{1, 2, 3, 4, 5}, ShiftID: ptr[int64](1)},
	typeOf[resultActionRequest](): resultActionRequest{Action: store.ActionRecycle, Statuses: []store.ContactStatus{store.ContactFailed},
		LastResults: []string{"no_answer", "busy"}},
	typeOf[scorecardRequest](): scorecardRequest{Name: "催收通话质检表", Items: []store.ScorecardItem{
		{Key: "greeting", Label: "开场白规范", Weight: 1, MaxScore: 5}, {Key: "identity", Label: "核实身份", Weight: 2, MaxScore: 5, Critical: true},
		{Key: "compliance", Label: "合规用语", Weight: 3, MaxScore: 10, Critical: true}}},
	typeOf[scoreRequest](): scoreRequest{ScorecardID: 1, CallID: 1, Items: []store.ItemScore{{Key: "greeting", Score: 4},
		{Key: "identity", Score: 5}, {Key: "compliance", Score: 8}}, Comments: []store.QAComment{{AtMS: 12500, Text: "未报工号"}}},
	typeOf[appealRequest]():  appealRequest{Text: "已在通话开始时报工号，见 00:03"},
	typeOf[resolveRequest](): resolveRequest{Decision: store.AppealUpheld, Note: "复听确认已报工号"},
	typeOf[savedReportRequest](): savedReportRequest{Name: "各活动近7天外呼", Report: store.ReportOutbound,
		GroupBy: []store.Dimension{store.DimCampaign, store.DimDay}, Measures: []string{"dials", "answered", "abandon_rate", "talk_s"},
		Period: store.PeriodLast7Days, SharedWith: ptr[int64](1)},
	typeOf[savedReportPatch](): savedReportPatch{Name: ptr("各活动近30天外呼"), Period: ptr(store.PeriodLast30Days),
		Measures: ptr([]string{"dials", "answered", "talk_s"}), SharedWith: ptr[int64](1)},
	typeOf[reportScheduleRequest](): reportScheduleRequest{Every: ptr(store.EveryWeek), At: ptr("08:30"), Weekday: ptr(1),
		Timezone: ptr("Asia/Shanghai"), Emails: ptr([]string{"ops-manager@bank.example"}), GroupID: ptr[int64](1), Lang: ptr("zh-CN")},
	typeOf[noteRequest](): noteRequest{Text: "客户表示月底前还款，需再次提醒"},
	typeOf[dncRequest]():  dncRequest{Phone: "13800138000", Reason: "客户要求不再致电", Source: store.DNCCustomerRequest},
	typeOf[dncBatchRequest](): dncBatchRequest{Entries: []dncRequest{
		{Phone: "13900139000", Reason: "投诉", Source: store.DNCManual},
		{IDNumber: "510104200002290038", Reason: "法务要求停止催收", Source: store.DNCManual}}},
	typeOf[scriptRequest](): scriptRequest{Title: ptr("信用卡逾期还款提醒"), CampaignKinds: ptr([]store.CampaignKind{store.KindCollection}),
		Start: ptr("q1"), Nodes: ptr(exampleScriptNodes()), Note: "首版", Publish: true,
		Layout: &store.ScriptLayout{"q1": {X: 40, Y: 60}, "q2": {X: 320, Y: 60}}},
	typeOf[publishRequest]():       publishRequest{Version: 1},
	typeOf[feedbackRequest]():      feedbackRequest{Version: 1, NodeID: "q2", Comment: "客户常问还款渠道，建议在这里补充"},
	typeOf[feedbackAnswer]():       feedbackAnswer{Answer: "已在第2版补充还款渠道", Status: store.FeedbackResolved},
	typeOf[scriptSessionRequest](): scriptSessionRequest{CallUUID: exampleCallUUID, ScriptID: 1},
	typeOf[answerRequest]():        answerRequest{NodeID: "q1", Value: "yes"},
	typeOf[pauseRequest]():         pauseRequest{Reason: store.PauseComplaint, Note: "客户投诉上次扣款"},
	typeOf[resultsRequest](): resultsRequest{Result: "promise", Business: map[string]string{
		"promise_date": "2026-12-31", "promise_amount": "3000.00", "ticket_no": "TS20261207001"}},
	typeOf[articleRequest](): articleRequest{Title: ptr("信用卡还款渠道"), Category: ptr("信用卡"), Tags: ptr([]string{"还款", "逾期"}),
		Body: ptr("可通过手机银行、网点柜台或自动扣款还款；逾期后请尽快还款，以免影响征信。")},
	typeOf[articleStatusRequest](): articleStatusRequest{Status: store.ArticlePublished},
}

// exampleCallUUID is the call the script-session examples run in.
const exampleCallUUID = "7f3c2a9e-5d1b-4c8e-9a6f-2b4d8e1c0a35"

// exampleScriptNodes is api.md's questionnaire, its text node linking the
// example article.
func exampleScriptNodes() []store.ScriptNode {
	return []store.ScriptNode{
		{ID: "q1", Type: store.NodeQuestion, Text: "您好，请问是{{name}}本人吗？", AnswerType: store.AnswerSingle,
			Options: []store.ScriptOption{{Value: "yes", Label: "是", Next: "q2"}, {Value: "no", Label: "不是", Next: "end_wrong"}}},
		{ID: "q2", Type: store.NodeText, Text: "您的信用卡已逾期，请于本月底前还款。", Next: "end_ok", ArticleIDs: []int64{1}},
		{ID: "end_ok", Type: store.NodeEnd, Outcome: "success"},
		{ID: "end_wrong", Type: store.NodeEnd, Outcome: "wrong_person"},
	}
}

// examplePassword is the documented admin's password: the login example
// signs in with it and the unlock example unlocks with it.
const examplePassword = "Change-Me-2026!"

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

func ptr[T any](v T) *T { return &v }
