// Package reportfile writes reports as files: xlsx (typed cells) and csv,
// with Chinese headers by default. The API's downloads and the scheduled
// e-mails use it, so both carry the same file.
package reportfile

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// columnNames are the column headers of report files, by language.
var columnNames = map[string]map[string]string{
	"zh-CN": {
		"campaign_id": "活动编号", "agent_id": "坐席编号", "day": "日期", "hour": "小时", "channel": "渠道",
		"dials": "拨打次数", "finished": "已结束", "answered": "接通", "human": "真人接听", "machine": "答录机",
		"abandoned": "呼损", "connected": "转坐席", "reached": "联系成功", "success": "业务成功", "busy": "忙线",
		"no_answer": "无人接听", "rejected": "拒接", "network_failure": "网络故障", "invalid_number": "空号",
		"cancelled": "已取消", "lost": "丢失", "answer_rate": "接通率", "abandon_rate": "呼损率", "talk_s": "通话时长",
		"acw_s": "话后处理时长", "avg_talk_s": "平均通话时长", "asa_s": "平均转接等待", "dials_per_completed": "每次成功联系拨打次数",
		"calls": "通话数", "inbound_calls": "呼入通话数", "outbound_calls": "外呼通话数", "inbound_talk_s": "呼入通话时长", "signed_in_s": "签入时长", "ready_s": "就绪时长", "reserved_s": "振铃时长", "on_call_s": "通话状态时长",
		"hold_s": "保持时长", "break_s": "休息时长", "occupancy": "占用率", "calls_per_hour": "每小时通话数",
		"name": "名称", "kind": "类型", "media": "媒介", "dial_mode": "外呼模式", "status": "状态", "contacts_total": "名单总数",
		"contacts_pending": "待拨打", "contacts_in_progress": "通话中", "contacts_completed": "已完成", "contacts_failed": "未接通",
		"contacts_maintenance": "待维护", "contacts_blocked": "黑名单", "contacts_cancelled": "已取消",
		"messages": "消息数", "sent": "已发送", "delivered": "已送达", "failed": "失败", "queued": "排队中", "parts": "条数/页数",
		"delivery_rate": "送达率", "callbacks_booked": "预约回呼", "callbacks_kept": "按时回呼", "callbacks_missed": "错过回呼",
		"callbacks_cancelled": "取消回呼", "callbacks_open": "待回呼", "callbacks_handed_to_group": "转组回呼", "kept_rate": "回呼履约率",
		"username": "用户名", "display_name": "姓名", "shift_name": "班次", "scheduled_start": "计划上班", "scheduled_end": "计划下班",
		"first_sign_in": "首次签入", "last_sign_out": "最后签出", "late_s": "迟到时长", "early_leave_s": "早退时长",
		"over_break_s": "超时休息", "late": "迟到", "early_leave": "早退", "absent": "缺勤", "day_off": "休息日",
		"break.":   "休息-",
		"group_id": "技能组编号", "flow": "IVR流程", "offered": "进线数", "voicemail": "转留言", "other": "其他离队",
		"answered_sl": "20秒内接听", "service_level": "服务水平", "avg_abandon_s": "平均放弃等待",
		"entries": "进入次数", "completed": "完成", "handback": "转回坐席", "transferred": "转接", "caller_hangup": "客户挂机",
		"aborted": "中止", "verify_tried": "身份验证次数", "verified": "验证成功", "answers": "按键输入数", "to_agents": "转坐席",
		"completion_rate": "完成率", "verify_rate": "验证成功率", "to_agent_rate": "转坐席率", "avg_duration_s": "平均IVR时长",
		"dtmf.":     "按键 ",
		"scorer_id": "质检员编号", "scores": "评分数", "critical_failures": "致命项不合格", "appeals": "申诉",
		"appeals_upheld": "申诉成立", "avg_total": "平均得分",
	},
	"en": {
		"campaign_id": "Campaign", "agent_id": "Agent", "day": "Date", "hour": "Hour", "channel": "Channel",
		"dials": "Dials", "finished": "Finished", "answered": "Answered", "human": "Answered by a person", "machine": "Machine",
		"abandoned": "Abandoned", "connected": "Connected to agent", "reached": "Reached", "success": "Success", "busy": "Busy",
		"no_answer": "No answer", "rejected": "Rejected", "network_failure": "Network failure", "invalid_number": "Invalid number",
		"cancelled": "Cancelled", "lost": "Lost", "answer_rate": "Answer rate", "abandon_rate": "Abandon rate", "talk_s": "Talk time",
		"acw_s": "Wrap-up time", "avg_talk_s": "Average talk", "asa_s": "Average wait for agent", "dials_per_completed": "Dials per reached contact",
		"calls": "Calls", "inbound_calls": "Inbound calls", "outbound_calls": "Outbound calls", "inbound_talk_s": "Inbound talk time", "signed_in_s": "Signed in", "ready_s": "Ready", "reserved_s": "Ringing", "on_call_s": "On call",
		"hold_s": "Hold", "break_s": "Break", "occupancy": "Occupancy", "calls_per_hour": "Calls per hour",
		"name": "Name", "kind": "Kind", "media": "Media", "dial_mode": "Dial mode", "status": "Status", "contacts_total": "Contacts",
		"contacts_pending": "Pending", "contacts_in_progress": "On a call", "contacts_completed": "Completed", "contacts_failed": "Failed",
		"contacts_maintenance": "Needs fixing", "contacts_blocked": "Blacklisted", "contacts_cancelled": "Cancelled",
		"messages": "Messages", "sent": "Sent", "delivered": "Delivered", "failed": "Failed", "queued": "Queued", "parts": "Parts/pages",
		"delivery_rate": "Delivery rate", "callbacks_booked": "Callbacks booked", "callbacks_kept": "Callbacks kept", "callbacks_missed": "Callbacks missed",
		"callbacks_cancelled": "Callbacks cancelled", "callbacks_open": "Callbacks open", "callbacks_handed_to_group": "Handed to group", "kept_rate": "Kept rate",
		"username": "Username", "display_name": "Name", "shift_name": "Shift", "scheduled_start": "Scheduled start", "scheduled_end": "Scheduled end",
		"first_sign_in": "First sign-in", "last_sign_out": "Last sign-out", "late_s": "Late", "early_leave_s": "Left early",
		"over_break_s": "Over break", "late": "Late days", "early_leave": "Early leaves", "absent": "Absent", "day_off": "Day off",
		"break.":   "Break: ",
		"group_id": "Group", "flow": "IVR flow", "offered": "Offered", "voicemail": "To voicemail", "other": "Left otherwise",
		"answered_sl": "Answered within 20 s", "service_level": "Service level", "avg_abandon_s": "Average wait before abandoning",
		"entries": "Entries", "completed": "Completed", "handback": "Handed back to agent", "transferred": "Transferred", "caller_hangup": "Caller hung up",
		"aborted": "Aborted", "verify_tried": "Verifications", "verified": "Verified", "answers": "Keyed entries", "to_agents": "To agents",
		"completion_rate": "Completion rate", "verify_rate": "Verification rate", "to_agent_rate": "To-agent rate", "avg_duration_s": "Average time in IVR",
		"dtmf.":     "Key ",
		"scorer_id": "Scorer", "scores": "Scores", "critical_failures": "Critical failures", "appeals": "Appeals",
		"appeals_upheld": "Appeals upheld", "avg_total": "Average score",
	},
}

// headerOverrides are the headers a column has in one report only.
var headerOverrides = map[store.ReportName]map[string]map[string]string{
	store.ReportInbound: {
		"zh-CN": {"answered": "接听", "abandoned": "排队放弃", "answer_rate": "接听率", "abandon_rate": "放弃率", "asa_s": "平均应答速度"},
		"en":    {"abandoned": "Abandoned in queue", "asa_s": "Average speed of answer"},
	},
	store.ReportIVR: {
		"zh-CN": {"queued": "转队列"},
		"en":    {"queued": "Queued for agents"},
	},
}

// Headers names each column in lang ("zh-CN", the default, or "en"); a
// break reason's column takes its label from breakLabels (code → label).
func Headers(rep *store.Report, lang string, breakLabels map[string]string) []string {
	names := columnNames[lang]
	if names == nil {
		names = columnNames["zh-CN"]
	}
	over := headerOverrides[rep.Name][lang]
	out := make([]string, len(rep.Columns))
	for i, col := range rep.Columns {
		if h, ok := over[col.Key]; ok {
			out[i] = h
			continue
		}
		if h, ok := names[col.Key]; ok {
			out[i] = h
			continue
		}
		if answer, ok := strings.CutPrefix(col.Key, "dtmf."); ok {
			out[i] = names["dtmf."] + answer
			continue
		}
		if code, ok := strings.CutPrefix(col.Key, "break_"); ok {
			code = strings.TrimSuffix(code, "_s")
			label := breakLabels[code]
			if label == "" {
				label = code
			}
			out[i] = names["break."] + label
			continue
		}
		out[i] = col.Key
	}
	return out
}

// totalRow is the totals with the first column saying so.
func totalRow(rep *store.Report) map[string]any {
	t := map[string]any{}
	for k, v := range rep.Totals {
		t[k] = v
	}
	return t
}

// clockText writes seconds as h:mm:ss (a time LibreOffice and Excel read).
func clockText(sec float64) string {
	n := int64(sec + 0.5)
	return fmt.Sprintf("%d:%02d:%02d", n/3600, n/60%60, n%60)
}

// CSV writes the report (rows, then a totals row) as UTF-8 CSV with a BOM
// (Excel opens it as UTF-8).
func CSV(w io.Writer, rep *store.Report, headers []string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(headers); err != nil {
		return err
	}
	rec := make([]string, len(rep.Columns))
	for i, row := range append(rep.Rows, totalRow(rep)) {
		for j, col := range rep.Columns {
			rec[j] = csvCell(col.Kind, row[col.Key])
		}
		if i == len(rep.Rows) {
			rec[0] = "合计/Total"
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(k store.ColumnKind, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch k {
		case store.KindSeconds:
			return clockText(x)
		case store.KindRatio:
			return strconv.FormatFloat(x, 'f', 4, 64)
		}
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return fmt.Sprint(v)
}

// reportStyles are the xlsx number formats per column kind.
type reportStyles map[store.ColumnKind]int

func newReportStyles(f *excelize.File) (reportStyles, error) {
	formats := map[store.ColumnKind]string{store.KindSeconds: "[h]:mm:ss", store.KindRatio: "0.00%",
		store.KindDecimal: "0.00", store.KindDate: "yyyy-mm-dd", store.KindDateHour: "yyyy-mm-dd hh:mm", store.KindCount: "0", store.KindID: "0"}
	out := reportStyles{}
	for k, nf := range formats {
		nf := nf
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &nf})
		if err != nil {
			return nil, err
		}
		out[k] = id
	}
	return out, nil
}

// xlsxCell is a typed cell: numbers as numbers, durations as times (days),
// dates as dates.
func (st reportStyles) cell(k store.ColumnKind, v any) any {
	var val any = v
	switch x := v.(type) {
	case nil:
		return nil
	case float64:
		if k == store.KindSeconds {
			val = x / 86400
		}
	case string:
		layout := map[store.ColumnKind]string{store.KindDate: time.DateOnly, store.KindDateHour: "2006-01-02 15:04"}[k]
		if layout == "" {
			return x
		}
		t, err := time.Parse(layout, x)
		if err != nil {
			return x
		}
		val = t
	}
	if id, ok := st[k]; ok {
		return excelize.Cell{StyleID: id, Value: val}
	}
	return val
}

// XLSX writes the report (rows, then a totals row) as a workbook: numbers
// as numbers, durations as [h]:mm:ss times, ratios as percents, dates as
// dates.
func XLSX(w io.Writer, rep *store.Report, headers []string) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newReportStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	row = make([]any, len(rep.Columns))
	for i, r := range append(rep.Rows, totalRow(rep)) {
		for j, col := range rep.Columns {
			row[j] = styles.cell(col.Kind, r[col.Key])
		}
		if i == len(rep.Rows) {
			row[0] = "合计/Total"
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
