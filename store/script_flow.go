package store

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ScriptNodeType is what a node of a script's flow does.
type ScriptNodeType string

// Node types: text to read, a question with a typed answer, the end with
// its outcome.
const (
	NodeText     ScriptNodeType = "text"
	NodeQuestion ScriptNodeType = "question"
	NodeEnd      ScriptNodeType = "end"
)

// ScriptNodeTypes lists every ScriptNodeType.
var ScriptNodeTypes = []ScriptNodeType{NodeText, NodeQuestion, NodeEnd}

// EnumValues lists the node types.
func (ScriptNodeType) EnumValues() []string { return enumStrings(ScriptNodeTypes) }

// AnswerType is the kind of answer a question takes.
type AnswerType string

// Answer types.
const (
	AnswerSingle AnswerType = "single"
	AnswerMulti  AnswerType = "multi"
	AnswerNumber AnswerType = "number"
	AnswerDate   AnswerType = "date"
	AnswerText   AnswerType = "text"
	AnswerRating AnswerType = "rating"
	AnswerYesNo  AnswerType = "yes_no"
)

// AnswerTypes lists every AnswerType.
var AnswerTypes = []AnswerType{AnswerSingle, AnswerMulti, AnswerNumber, AnswerDate, AnswerText, AnswerRating, AnswerYesNo}

// EnumValues lists the answer types.
func (AnswerType) EnumValues() []string { return enumStrings(AnswerTypes) }

// BranchOp compares an answer with a branch's value.
type BranchOp string

// Branch operators: eq/ne compare text (a date, a rating, a yes_no answer),
// lt/le/gt/ge compare numbers (numbers, ratings, dates as YYYY-MM-DD text),
// contains matches a multiple choice holding the value or text holding it.
const (
	OpEq       BranchOp = "eq"
	OpNe       BranchOp = "ne"
	OpLt       BranchOp = "lt"
	OpLe       BranchOp = "le"
	OpGt       BranchOp = "gt"
	OpGe       BranchOp = "ge"
	OpContains BranchOp = "contains"
)

// BranchOps lists every BranchOp.
var BranchOps = []BranchOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpContains}

// EnumValues lists the branch operators.
func (BranchOp) EnumValues() []string { return enumStrings(BranchOps) }

// ScriptOption is one choice of a single/multi/yes_no question; Next, when
// set, is where choosing it leads (single and yes_no).
type ScriptOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Next  string `json:"next,omitempty"`
}

// ScriptBranch sends an answer that matches Op/Value to Next; branches are
// tried in order, before the options' and the node's own next.
type ScriptBranch struct {
	Op    BranchOp `json:"op"`
	Value string   `json:"value"`
	Next  string   `json:"next"`
}

// ScriptNode is one step of a flow.
type ScriptNode struct {
	ID         string         `json:"id"`
	Type       ScriptNodeType `json:"type"`
	Text       string         `json:"text,omitempty"`
	AnswerType AnswerType     `json:"answer_type,omitempty"`
	Options    []ScriptOption `json:"options,omitempty"`
	Branches   []ScriptBranch `json:"branches,omitempty"`
	Next       string         `json:"next,omitempty"`
	Outcome    string         `json:"outcome,omitempty"`
	Required   bool           `json:"required,omitempty"`
	// ArticleIDs link knowledge-base articles the agent may open here.
	ArticleIDs []int64 `json:"article_ids,omitempty"`
}

// ScriptFlow is a script's content: where it starts and its nodes.
type ScriptFlow struct {
	Start string       `json:"start"`
	Nodes []ScriptNode `json:"nodes"`
}

var (
	nodeIDPattern  = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,64}$`)
	outcomePattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	mergePattern   = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.]+)\s*\}\}`)
)

// Limits of one flow.
const (
	maxScriptNodes   = 500
	maxScriptOptions = 50
	maxNodeText      = 4000
)

// Node returns the node with id, or nil.
func (f *ScriptFlow) Node(id string) *ScriptNode {
	for i := range f.Nodes {
		if f.Nodes[i].ID == id {
			return &f.Nodes[i]
		}
	}
	return nil
}

// Targets lists where a node may lead, each with the field naming it.
func (n *ScriptNode) Targets(i int) [][2]string {
	var out [][2]string
	p := fmt.Sprintf("nodes[%d]", i)
	for j, b := range n.Branches {
		out = append(out, [2]string{fmt.Sprintf("%s.branches[%d].next", p, j), b.Next})
	}
	for j, o := range n.Options {
		if o.Next != "" {
			out = append(out, [2]string{fmt.Sprintf("%s.options[%d].next", p, j), o.Next})
		}
	}
	if n.Next != "" {
		out = append(out, [2]string{p + ".next", n.Next})
	}
	return out
}

// Validate checks a flow and names the node of every problem: bad fields,
// a branch to a node that does not exist, a node the start cannot reach, a
// dead end without an outcome, a loop with no way out to an end.
func (f *ScriptFlow) Validate() error {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	if len(f.Nodes) == 0 {
		add("nodes", "must hold at least one node")
		return &ValidationError{Fields: errs}
	}
	if len(f.Nodes) > maxScriptNodes {
		add("nodes", fmt.Sprintf("holds %d nodes, at most %d", len(f.Nodes), maxScriptNodes))
		return &ValidationError{Fields: errs}
	}
	index := map[string]int{}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		n.ID = strings.TrimSpace(n.ID)
		if prev, dup := index[n.ID]; dup {
			add(fmt.Sprintf("nodes[%d].id", i), fmt.Sprintf("node %q: the id is used by nodes[%d] too", n.ID, prev))
			continue
		}
		index[n.ID] = i
		f.validateNode(i, add)
	}
	if f.Start == "" {
		add("start", "is required: the id of the first node")
	} else if _, ok := index[f.Start]; !ok {
		add("start", fmt.Sprintf("node %q does not exist", f.Start))
	}
	for i := range f.Nodes {
		for _, t := range f.Nodes[i].Targets(i) {
			if _, ok := index[t[1]]; !ok {
				add(t[0], fmt.Sprintf("node %q: goes to %q, which does not exist", f.Nodes[i].ID, t[1]))
			}
		}
	}
	if len(errs) == 0 {
		f.validateGraph(index, add)
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func (f *ScriptFlow) validateNode(i int, add func(field, msg string)) {
	n := &f.Nodes[i]
	p := fmt.Sprintf("nodes[%d]", i)
	name := fmt.Sprintf("node %q: ", n.ID)
	if !nodeIDPattern.MatchString(n.ID) {
		add(p+".id", name+"an id is 1 to 64 letters, digits, _ or -")
	}
	if !OneOf(n.Type) {
		add(p+".type", EnumMessage(n.Type))
		return
	}
	if len([]rune(n.Text)) > maxNodeText {
		add(p+".text", fmt.Sprintf("%sis at most %d characters", name, maxNodeText))
	}
	switch n.Type {
	case NodeEnd:
		if !outcomePattern.MatchString(n.Outcome) {
			add(p+".outcome", name+"an end node needs an outcome (the disposition result: 1 to 32 of a-z, 0-9, _)")
		}
		if n.Next != "" || len(n.Options) > 0 || len(n.Branches) > 0 {
			add(p+".next", name+"an end node leads nowhere: no next, options or branches")
		}
	case NodeText:
		if strings.TrimSpace(n.Text) == "" {
			add(p+".text", name+"a text node needs the text to read")
		}
		if len(n.Options) > 0 || len(n.Branches) > 0 || n.AnswerType != "" {
			add(p+".options", name+"a text node takes no answer: use a question node")
		}
	case NodeQuestion:
		f.validateQuestion(i, add)
	}
	if n.Type != NodeEnd && n.Outcome != "" {
		add(p+".outcome", name+"only an end node has an outcome")
	}
}

func (f *ScriptFlow) validateQuestion(i int, add func(field, msg string)) {
	n := &f.Nodes[i]
	p := fmt.Sprintf("nodes[%d]", i)
	name := fmt.Sprintf("node %q: ", n.ID)
	if strings.TrimSpace(n.Text) == "" {
		add(p+".text", name+"a question needs its text")
	}
	if !OneOf(n.AnswerType) {
		add(p+".answer_type", EnumMessage(n.AnswerType))
		return
	}
	if n.AnswerType == AnswerYesNo && len(n.Options) == 0 {
		n.Options = []ScriptOption{{Value: "yes", Label: "是"}, {Value: "no", Label: "否"}}
	}
	choice := n.AnswerType == AnswerSingle || n.AnswerType == AnswerMulti || n.AnswerType == AnswerYesNo
	switch {
	case choice && len(n.Options) == 0:
		add(p+".options", name+"a "+string(n.AnswerType)+" question needs options")
	case !choice && len(n.Options) > 0:
		add(p+".options", name+"a "+string(n.AnswerType)+" question takes no options; branch on the answer instead")
	case len(n.Options) > maxScriptOptions:
		add(p+".options", fmt.Sprintf("%sat most %d options", name, maxScriptOptions))
	}
	seen := map[string]bool{}
	for j := range n.Options {
		o := &n.Options[j]
		o.Value, o.Label = strings.TrimSpace(o.Value), strings.TrimSpace(o.Label)
		if o.Value == "" {
			add(fmt.Sprintf("%s.options[%d].value", p, j), name+"an option needs a value")
		} else if seen[o.Value] {
			add(fmt.Sprintf("%s.options[%d].value", p, j), fmt.Sprintf("%soption %q is listed twice", name, o.Value))
		}
		seen[o.Value] = true
		if o.Label == "" {
			o.Label = o.Value
		}
		if n.AnswerType == AnswerMulti && o.Next != "" {
			add(fmt.Sprintf("%s.options[%d].next", p, j), name+"options of a multi question lead nowhere; branch with op contains")
		}
	}
	for j, b := range n.Branches {
		if !OneOf(b.Op) {
			add(fmt.Sprintf("%s.branches[%d].op", p, j), EnumMessage(b.Op))
		}
	}
}

// validateGraph finds unreachable nodes, dead ends and loops without exit.
func (f *ScriptFlow) validateGraph(index map[string]int, add func(field, msg string)) {
	reached := map[string]bool{}
	queue := []string{f.Start}
	reached[f.Start] = true
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		n := &f.Nodes[index[id]]
		for _, t := range n.Targets(index[id]) {
			if !reached[t[1]] {
				reached[t[1]] = true
				queue = append(queue, t[1])
			}
		}
	}
	// canEnd: nodes from which some path reaches an end node.
	canEnd := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for i := range f.Nodes {
			n := &f.Nodes[i]
			if canEnd[n.ID] {
				continue
			}
			ok := n.Type == NodeEnd
			for _, t := range n.Targets(i) {
				ok = ok || canEnd[t[1]]
			}
			if ok {
				canEnd[n.ID], changed = true, true
			}
		}
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		p := fmt.Sprintf("nodes[%d]", i)
		switch {
		case !reached[n.ID]:
			add(p, fmt.Sprintf("node %q: unreachable from the start node %q", n.ID, f.Start))
		case n.Type != NodeEnd && len(n.Targets(i)) == 0:
			add(p+".next", fmt.Sprintf("node %q: a dead end without an outcome; give it a next node or end it with an end node", n.ID))
		case !canEnd[n.ID]:
			add(p, fmt.Sprintf("node %q: in a loop without exit (%s); no path leads from it to an end node", n.ID, f.loopPath(index, n.ID)))
		case n.Type == NodeQuestion && n.Next == "" && !f.covered(n):
			add(p+".next", fmt.Sprintf("node %q: some answers lead nowhere; give the node a next for the answers its options and branches do not send on", n.ID))
		}
	}
}

// covered tells whether every answer of a question without a next has a
// target: single/yes_no questions whose every option leads somewhere.
func (f *ScriptFlow) covered(n *ScriptNode) bool {
	if n.AnswerType != AnswerSingle && n.AnswerType != AnswerYesNo {
		return false
	}
	return !slices.ContainsFunc(n.Options, func(o ScriptOption) bool { return o.Next == "" })
}

// loopPath describes a cycle starting at id, for the error message.
func (f *ScriptFlow) loopPath(index map[string]int, id string) string {
	path := []string{id}
	seen := map[string]bool{id: true}
	cur := id
	for range len(f.Nodes) {
		ts := f.Nodes[index[cur]].Targets(index[cur])
		if len(ts) == 0 {
			break
		}
		cur = ts[0][1]
		path = append(path, cur)
		if seen[cur] {
			break
		}
		seen[cur] = true
	}
	return strings.Join(path, " → ")
}

// SearchText is everything a keyword search looks at: the node texts,
// option labels and outcomes.
func (f *ScriptFlow) SearchText() string {
	var b strings.Builder
	for _, n := range f.Nodes {
		b.WriteString(n.Text)
		b.WriteByte('\n')
		for _, o := range n.Options {
			b.WriteString(o.Label)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// RenderText merges {{field}} placeholders with fields; a field that is not
// there stays as written, so the agent sees what is missing. Callers pass
// fields already masked for the reader.
func RenderText(text string, fields map[string]string) string {
	return mergePattern.ReplaceAllStringFunc(text, func(m string) string {
		key := mergePattern.FindStringSubmatch(m)[1]
		if v, ok := fields[key]; ok {
			return v
		}
		return m
	})
}

// NextNode checks answer against node n's type and returns the node it
// leads to. Multi answers are comma-joined option values.
func (n *ScriptNode) NextNode(answer string) (string, error) {
	answer = strings.TrimSpace(answer)
	if n.Type == NodeText {
		return n.Next, nil
	}
	if n.Type != NodeQuestion {
		return "", fmt.Errorf("node %q is an end node and takes no answer: %w", n.ID, ErrConflict)
	}
	if err := n.checkAnswer(answer); err != nil {
		return "", err
	}
	for _, b := range n.Branches {
		if b.matches(n.AnswerType, answer) {
			return b.Next, nil
		}
	}
	for _, o := range n.Options {
		if o.Value == answer && o.Next != "" {
			return o.Next, nil
		}
	}
	if n.Next == "" {
		return "", Invalid("value", fmt.Sprintf("node %q: the answer %q leads nowhere in this flow", n.ID, answer))
	}
	return n.Next, nil
}

func (n *ScriptNode) checkAnswer(answer string) error {
	bad := func(msg string) error { return Invalid("value", fmt.Sprintf("node %q: %s", n.ID, msg)) }
	if answer == "" {
		if n.Required || n.AnswerType != AnswerText {
			return bad("an answer is required")
		}
		return nil
	}
	switch n.AnswerType {
	case AnswerSingle, AnswerYesNo:
		if !slices.ContainsFunc(n.Options, func(o ScriptOption) bool { return o.Value == answer }) {
			return bad(fmt.Sprintf("%q is not one of the options (%s)", answer, n.optionValues()))
		}
	case AnswerMulti:
		for _, v := range strings.Split(answer, ",") {
			if !slices.ContainsFunc(n.Options, func(o ScriptOption) bool { return o.Value == strings.TrimSpace(v) }) {
				return bad(fmt.Sprintf("%q is not one of the options (%s)", v, n.optionValues()))
			}
		}
	case AnswerNumber:
		if _, err := strconv.ParseFloat(answer, 64); err != nil {
			return bad(fmt.Sprintf("%q is not a number", answer))
		}
	case AnswerRating:
		if r, err := strconv.Atoi(answer); err != nil || r < 1 || r > 10 {
			return bad(fmt.Sprintf("%q is not a rating from 1 to 10", answer))
		}
	case AnswerDate:
		if _, err := time.Parse(time.DateOnly, answer); err != nil {
			return bad(fmt.Sprintf("%q is not a date YYYY-MM-DD", answer))
		}
	case AnswerText:
		if len([]rune(answer)) > 2000 {
			return bad("a text answer is at most 2000 characters")
		}
	}
	return nil
}

func (n *ScriptNode) optionValues() string {
	vs := make([]string, len(n.Options))
	for i, o := range n.Options {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

func (b ScriptBranch) matches(t AnswerType, answer string) bool {
	switch b.Op {
	case OpEq:
		return answer == b.Value
	case OpNe:
		return answer != b.Value
	case OpContains:
		if t == AnswerMulti {
			for _, v := range strings.Split(answer, ",") {
				if strings.TrimSpace(v) == b.Value {
					return true
				}
			}
			return false
		}
		return strings.Contains(answer, b.Value)
	}
	if t == AnswerDate {
		return compare(b.Op, strings.Compare(answer, b.Value))
	}
	x, err1 := strconv.ParseFloat(answer, 64)
	y, err2 := strconv.ParseFloat(b.Value, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	switch {
	case x < y:
		return compare(b.Op, -1)
	case x > y:
		return compare(b.Op, 1)
	}
	return compare(b.Op, 0)
}

func compare(op BranchOp, c int) bool {
	switch op {
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}
