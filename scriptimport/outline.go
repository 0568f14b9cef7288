package scriptimport

import (
	"regexp"
	"strings"

	"github.com/bankcc/callcenter/store"
)

var (
	// "1. 【单选】您好，请问是{{name}}本人吗？ -> q2"
	outlineNode = regexp.MustCompile(`^([A-Za-z0-9_\-]+)\s*[.、．)）]\s*(?:[【\[]([^】\]]+)[】\]])?\s*(.*)$`)
	// "标题：信用卡逾期还款提醒"
	outlineTitle = regexp.MustCompile(`^(?:标题|title)\s*[:：]\s*(.+)$`)
)

type outlineItem struct {
	line    int
	row     tableRow
	options []string
}

// parseOutline reads the text outline: an optional 标题 line; node lines
// "编号. 【类型】文本 -> 跳转" at the start of a line; option lines below a
// question, indented or starting with - * • ·, "选项 -> 跳转". An end node
// is "编号. 【结束】outcome 结束语". Errors name the line.
func parseOutline(text string) (*store.ScriptDraft, error) {
	d := &store.ScriptDraft{}
	var items []*outlineItem
	var errs []store.FieldError
	for i, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := i + 1
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" {
			continue
		}
		if m := outlineTitle.FindStringSubmatch(trimmed); m != nil && len(items) == 0 {
			d.Title = strings.TrimSpace(m[1])
			continue
		}
		if isOptionLine(raw) {
			if len(items) == 0 {
				errs = append(errs, rowError(line, "line", "line %d: an option line before any node; start with a node line such as \"1. 【单选】问题\"", line))
				continue
			}
			last := items[len(items)-1]
			last.options = append(last.options, strings.TrimLeft(trimmed, "-*•· "))
			continue
		}
		m := outlineNode.FindStringSubmatch(trimmed)
		if m == nil {
			errs = append(errs, rowError(line, "line", "line %d: %q is neither a node line (\"1. 【单选】问题 -> 2\") nor an option line (indented or starting with -)", line, clip(trimmed)))
			continue
		}
		it := &outlineItem{line: line, row: tableRow{line: line, id: m[1], typ: m[2]}}
		body, next := splitJump(m[3])
		if k, ok := parseKind(m[2], false); ok && k.node == store.NodeEnd {
			outcome, words, _ := strings.Cut(strings.TrimSpace(m[3]), " ")
			it.row.outcome, it.row.text = outcome, strings.TrimSpace(words)
		} else {
			it.row.text, it.row.next = body, next
		}
		items = append(items, it)
	}
	rows := make([]tableRow, len(items))
	for i, it := range items {
		it.row.options = strings.Join(it.options, "\n")
		rows[i] = it.row
	}
	if len(errs) > 0 {
		return nil, &store.ValidationError{Fields: errs}
	}
	built, err := buildNodes(rows)
	if err != nil {
		return nil, err
	}
	built.Title = d.Title
	return built, nil
}

func isOptionLine(raw string) bool {
	if raw == "" {
		return false
	}
	if raw[0] == ' ' || raw[0] == '\t' || strings.HasPrefix(raw, "　") {
		return true
	}
	for _, b := range []string{"-", "*", "•", "·"} {
		if strings.HasPrefix(raw, b) {
			return true
		}
	}
	return false
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
