package api

import (
	"strings"

	"golang.org/x/text/language"
)

// exportLang is the language of an export's default headers and value
// names. Chinese is the default: the bank's staff read the files.
type exportLang string

const (
	langZH exportLang = "zh-CN"
	langEN exportLang = "en"
)

// exportLangTag is the language an export asks for: zh-CN or en, or any
// language tag of Chinese or English (zh-Hans, en-GB).
type exportLangTag string

// EnumValues lists the languages exports are written in.
func (exportLangTag) EnumValues() []string { return []string{string(langZH), string(langEN)} }

// EnumPattern: other tags of the same languages.
func (exportLangTag) EnumPattern() (re, hint string) {
	return `^(zh|en)(-[A-Za-z0-9]+)*$`, "another zh-* or en-* language tag"
}

// MatchPattern accepts a well-formed tag whose language is Chinese or English.
func (exportLangTag) MatchPattern(s string) bool {
	tag, err := language.Parse(s)
	_, ok := langOfTag(tag)
	return err == nil && ok
}

// exportPhoneFormat is how exported phones are written.
type exportPhoneFormat string

const (
	phoneNational exportPhoneFormat = "national" // 13800138000, 010-12345678
	phoneE164     exportPhoneFormat = "e164"     // +8613800138000
)

// EnumValues lists the phone formats; the first is the default.
func (exportPhoneFormat) EnumValues() []string {
	return []string{string(phoneNational), string(phoneE164)}
}

// exportLangOf picks the language: the request's "lang" when given, else the
// first of zh/en in Accept-Language, else Chinese.
func exportLangOf(requested, acceptLanguage string) (exportLang, error) {
	if requested != "" {
		tag, err := language.Parse(requested)
		if l, ok := langOfTag(tag); err == nil && ok {
			return l, nil
		}
		return "", enumError("lang", exportLangTag(requested))
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	for _, t := range tags {
		if l, ok := langOfTag(t); ok {
			return l, nil
		}
	}
	return langZH, nil
}

func langOfTag(t language.Tag) (exportLang, bool) {
	switch base, _ := t.Base(); base.String() {
	case "zh":
		return langZH, true
	case "en":
		return langEN, true
	}
	return "", false
}

// exportNames holds, per language, the default header of each field and the
// names of the values users read (statuses, call results, block reasons).
// zh-CN headers are ones the importer maps back to the same fields, so an
// exported file can be imported again.
var exportNames = map[exportLang]map[string]string{
	langZH: {
		"id": "编号", "name": "姓名", "phone": "联系电话", "alt_phone": "备用电话", "id_number": "身份证号码",
		"customer_type": "客户类型", "manager_email": "客户经理邮箱", "status": "状态", "attempts": "呼叫次数",
		"last_result": "最近呼叫结果", "last_attempt_at": "最近呼叫时间", "next_attempt_at": "下次呼叫时间",
		"owner_agent_id": "所属坐席", "block_reason": "屏蔽原因", "created_at": "导入时间",

		"status.pending": "待拨打", "status.in_progress": "通话中", "status.completed": "已完成", "status.failed": "未接通",
		"status.maintenance": "待维护", "status.blocked": "黑名单", "status.cancelled": "已取消",

		"result.answered": "已接通", "result.busy": "忙线", "result.no_answer": "无人接听", "result.invalid_number": "空号",
		"result.rejected": "拒接", "result.network_failure": "网络故障", "result.cancelled": "已取消",
		"result.machine": "答录机", "result.abandoned": "呼损",

		"block.dnc": "黑名单",
	},
	langEN: {
		"id": "ID", "name": "Name", "phone": "Phone", "alt_phone": "Alternate phone", "id_number": "ID number",
		"customer_type": "Customer type", "manager_email": "Manager email", "status": "Status", "attempts": "Attempts",
		"last_result": "Last result", "last_attempt_at": "Last attempt", "next_attempt_at": "Next attempt",
		"owner_agent_id": "Owner agent", "block_reason": "Block reason", "created_at": "Imported at",

		"status.pending": "Pending", "status.in_progress": "On a call", "status.completed": "Completed", "status.failed": "Failed",
		"status.maintenance": "Needs fixing", "status.blocked": "Blacklisted", "status.cancelled": "Cancelled",

		"result.answered": "Answered", "result.busy": "Busy", "result.no_answer": "No answer", "result.invalid_number": "Invalid number",
		"result.rejected": "Rejected", "result.network_failure": "Network failure", "result.cancelled": "Cancelled",
		"result.machine": "Answering machine", "result.abandoned": "Abandoned",

		"block.dnc": "Do-not-call list",
	},
}

// header is a field's default header: its name in the language, or for an
// attribute its own key (the column name it was imported from).
func (l exportLang) header(field string) string {
	if key, ok := strings.CutPrefix(field, "attributes."); ok {
		return key
	}
	if h, ok := exportNames[l][field]; ok {
		return h
	}
	return field
}

// value names a code of a kind ("status", "result", "block") in the
// language; an unknown code is written as it is.
func (l exportLang) value(kind, code string) string {
	if code == "" {
		return ""
	}
	if v, ok := exportNames[l][kind+"."+code]; ok {
		return v
	}
	return code
}
