package scriptimport

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
)

type col int

const (
	colNone col = iota
	colID
	colText
	colType
	colOptions
	colNext
	colOutcome
)

// headers are the column names a table may use, Chinese and English.
var headers = map[string]col{
	"编号": colID, "序号": colID, "节点": colID, "id": colID,
	"问题": colText, "内容": colText, "话术": colText, "text": colText, "question": colText,
	"类型": colType, "题型": colType, "type": colType,
	"选项": colOptions, "options": colOptions,
	"跳转": colNext, "下一步": colNext, "next": colNext, "goto": colNext,
	"结果": colOutcome, "outcome": colOutcome,
}

var colNames = map[col]string{colID: "编号", colText: "问题", colType: "类型", colOptions: "选项", colNext: "跳转", colOutcome: "结果"}

func column(h string) col {
	return headers[strings.ToLower(strings.TrimSpace(h))]
}

// kind is what a 类型 cell says: a node type and, for questions, the answer type.
type kind struct {
	node   store.ScriptNodeType
	answer store.AnswerType
}

var kinds = map[string]kind{
	"单选": {store.NodeQuestion, store.AnswerSingle}, "single": {store.NodeQuestion, store.AnswerSingle},
	"多选": {store.NodeQuestion, store.AnswerMulti}, "multi": {store.NodeQuestion, store.AnswerMulti},
	"数字": {store.NodeQuestion, store.AnswerNumber}, "数值": {store.NodeQuestion, store.AnswerNumber}, "金额": {store.NodeQuestion, store.AnswerNumber}, "number": {store.NodeQuestion, store.AnswerNumber},
	"日期": {store.NodeQuestion, store.AnswerDate}, "date": {store.NodeQuestion, store.AnswerDate},
	"文本": {store.NodeQuestion, store.AnswerText}, "填空": {store.NodeQuestion, store.AnswerText}, "问答": {store.NodeQuestion, store.AnswerText}, "text": {store.NodeQuestion, store.AnswerText},
	"评分": {store.NodeQuestion, store.AnswerRating}, "打分": {store.NodeQuestion, store.AnswerRating}, "rating": {store.NodeQuestion, store.AnswerRating},
	"是非": {store.NodeQuestion, store.AnswerYesNo}, "是否": {store.NodeQuestion, store.AnswerYesNo}, "yes_no": {store.NodeQuestion, store.AnswerYesNo},
	"话术": {store.NodeText, ""}, "说明": {store.NodeText, ""}, "朗读": {store.NodeText, ""}, "say": {store.NodeText, ""},
	"结束": {store.NodeEnd, ""}, "end": {store.NodeEnd, ""},
}

// kindNames lists the 类型 values for error messages.
const kindNames = "单选, 多选, 数字, 日期, 文本, 评分, 是非, 话术, 结束 (or single, multi, number, date, text, rating, yes_no, say, end)"

func parseKind(cell string, hasOptions bool) (kind, bool) {
	cell = strings.ToLower(strings.TrimSpace(cell))
	if cell == "" {
		if hasOptions {
			return kind{store.NodeQuestion, store.AnswerSingle}, true
		}
		return kind{store.NodeText, ""}, true
	}
	k, ok := kinds[cell]
	return k, ok
}

// tableRow is one node as read from its row.
type tableRow struct {
	line                                  int
	id, text, typ, options, next, outcome string
}

// readTable reads the one-row-per-node layout through the importer's
// readers (xlsx, docx and doc tables, delimited text).
func readTable(r io.ReaderAt, size int64, name string, opts importer.Options) (*store.ScriptDraft, error) {
	src, err := importer.Open(r, size, name, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cols := map[col]int{}
	for i, h := range src.Header() {
		if c := column(h); c != colNone {
			if _, dup := cols[c]; !dup {
				cols[c] = i
			}
		}
	}
	for _, need := range []col{colID, colText} {
		if _, ok := cols[need]; !ok {
			return nil, store.Invalid("file", fmt.Sprintf("%s: the header row has no %s column; the layout is 编号, 问题, 类型, 选项, 跳转 (结果 optional)", name, colNames[need]))
		}
	}
	var rows []tableRow
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("scriptimport: %s: %w", name, err)
		}
		cell := func(c col) string {
			i, ok := cols[c]
			if !ok || i >= len(row.Cells) {
				return ""
			}
			return strings.TrimSpace(row.Cells[i])
		}
		tr := tableRow{line: row.Line, id: cell(colID), text: cell(colText), typ: cell(colType), options: cell(colOptions),
			next: cell(colNext), outcome: cell(colOutcome)}
		if tr.id == "" && tr.text == "" && tr.typ == "" && tr.options == "" {
			continue
		}
		rows = append(rows, tr)
	}
	return buildNodes(rows)
}

// buildNodes makes the flow: ids default to r<row>, an empty 跳转 goes to
// the next row.
func buildNodes(rows []tableRow) (*store.ScriptDraft, error) {
	d := &store.ScriptDraft{}
	var lines []int
	var errs []store.FieldError
	for i := range rows {
		if rows[i].id == "" {
			rows[i].id = fmt.Sprintf("r%d", rows[i].line)
		}
	}
	for i, tr := range rows {
		n, rowErrs := nodeOf(tr)
		errs = append(errs, rowErrs...)
		if n.Type != store.NodeEnd && n.Next == "" && !allRouted(n) && i+1 < len(rows) {
			n.Next = rows[i+1].id
		}
		d.Flow.Nodes = append(d.Flow.Nodes, n)
		lines = append(lines, tr.line)
	}
	if len(rows) > 0 {
		d.Flow.Start = rows[0].id
	}
	return finish(d, lines, errs)
}

func allRouted(n store.ScriptNode) bool {
	if n.Type != store.NodeQuestion || n.AnswerType == store.AnswerMulti || len(n.Options) == 0 {
		return false
	}
	for _, o := range n.Options {
		if o.Next == "" {
			return false
		}
	}
	return true
}

func nodeOf(tr tableRow) (store.ScriptNode, []store.FieldError) {
	var errs []store.FieldError
	n := store.ScriptNode{ID: tr.id, Text: tr.text, Next: target(tr.next)}
	k, ok := parseKind(tr.typ, tr.options != "")
	if !ok {
		errs = append(errs, rowError(tr.line, "类型", "row %d: %q is not a type; use one of %s", tr.line, tr.typ, kindNames))
		return n, errs
	}
	n.Type, n.AnswerType = k.node, k.answer
	switch n.Type {
	case store.NodeEnd:
		n.Outcome = tr.outcome
		if n.Outcome == "" {
			n.Outcome = tr.options
		}
		n.Next = ""
		if n.Outcome == "" {
			errs = append(errs, rowError(tr.line, "结果", "row %d: an end row needs its outcome (the disposition result, e.g. success) in 结果 or 选项", tr.line))
		}
	case store.NodeQuestion:
		n.Options = parseOptions(tr.options, n.AnswerType)
	default:
		if tr.options != "" {
			errs = append(errs, rowError(tr.line, "选项", "row %d: a %s row takes no options; make it a question (类型 单选)", tr.line, tr.typ))
		}
	}
	return n, errs
}

// parseOptions reads "是->q2；不是->end_wrong": options separated by ；;、|
// or line breaks, each a label with an optional jump (-> or →).
func parseOptions(cell string, t store.AnswerType) []store.ScriptOption {
	var out []store.ScriptOption
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == '；' || r == ';' || r == '、' || r == '|' || r == '\n' })
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		label, next := splitJump(p)
		value := label
		if t == store.AnswerYesNo {
			switch label {
			case "是", "对", "yes":
				value = "yes"
			case "否", "不是", "no":
				value = "no"
			}
		}
		out = append(out, store.ScriptOption{Value: value, Label: label, Next: target(next)})
	}
	return out
}

// splitJump cuts "text -> target" (or →) into both parts.
func splitJump(s string) (text, next string) {
	for _, arrow := range []string{"->", "→", "=>"} {
		if i := strings.LastIndex(s, arrow); i >= 0 {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(arrow):])
		}
	}
	return strings.TrimSpace(s), ""
}

// target normalises a jump: "结束"/"end" alone is not a node id, so it is
// kept as written and validation names it.
func target(s string) string { return strings.TrimSpace(s) }
