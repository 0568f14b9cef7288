// The designer's graph logic, free of Vue and the DOM so vitest checks it:
// nodes, their exits ("handles"), arrows, placing, the server's validation
// errors mapped onto nodes, and the walk a preview (or an agent) takes.
// The flow's shape is the server's (store.ScriptNode, docs/scripts.md).

export type NodeType = "text" | "question" | "end";
export type AnswerType = "single" | "multi" | "number" | "date" | "text" | "rating" | "yes_no";
export type BranchOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "contains";

export const NODE_TYPES: NodeType[] = ["text", "question", "end"];
export const ANSWER_TYPES: AnswerType[] = ["single", "multi", "number", "date", "text", "rating", "yes_no"];
export const BRANCH_OPS: BranchOp[] = ["eq", "ne", "lt", "le", "gt", "ge", "contains"];

export interface FlowOption {
  value: string;
  label: string;
  next?: string;
}
export interface FlowBranch {
  op: BranchOp;
  value: string;
  next: string;
}
export interface FlowNode {
  id: string;
  type: NodeType;
  text?: string;
  answer_type?: AnswerType;
  options?: FlowOption[];
  branches?: FlowBranch[];
  next?: string;
  outcome?: string;
  required?: boolean;
  article_ids?: number[];
}
export interface Point {
  x: number;
  y: number;
}
export interface Flow {
  start: string;
  nodes: FlowNode[];
  layout: Record<string, Point>;
}

// A handle is one exit of a node: "next", "opt:<i>" or "br:<i>".
export interface Handle {
  key: string;
  kind: "next" | "option" | "branch";
  index: number;
  label: string;
  target: string;
}

// Geometry of a drawn node (the canvas and the arrows share it).
export const NODE_W = 200;
export const HEAD_H = 26;
export const BODY_H = 40;
export const ROW_H = 22;

export function isChoice(t?: AnswerType): boolean {
  return t === "single" || t === "multi" || t === "yes_no";
}

// handles lists where a node may lead, in the order the server tries them
// (branches, then options, then the node's next). Options of a multi
// question lead nowhere (the server branches them with "contains").
export function handles(n: FlowNode): Handle[] {
  if (n.type === "end") return [];
  const out: Handle[] = [];
  if (n.type === "question") {
    (n.branches || []).forEach((b, i) => out.push({ key: `br:${i}`, kind: "branch", index: i, label: `${b.op} ${b.value}`, target: b.next || "" }));
    if (n.answer_type !== "multi") {
      (n.options || []).forEach((o, i) => out.push({ key: `opt:${i}`, kind: "option", index: i, label: o.label || o.value, target: o.next || "" }));
    }
  }
  out.push({ key: "next", kind: "next", index: 0, label: "", target: n.next || "" });
  return out;
}

export function nodeHeight(n: FlowNode): number {
  return HEAD_H + BODY_H + Math.max(1, handles(n).length) * ROW_H;
}

// handlePoint is where a handle's arrow starts: the node's right edge, in
// the middle of the handle's row.
export function handlePoint(flow: Flow, n: FlowNode, key: string): Point {
  const p = flow.layout[n.id] || { x: 0, y: 0 };
  const i = Math.max(0, handles(n).findIndex((h) => h.key === key));
  return { x: p.x + NODE_W, y: p.y + HEAD_H + BODY_H + i * ROW_H + ROW_H / 2 };
}

// inPoint is where arrows end: the middle of the node's left edge's head.
export function inPoint(flow: Flow, id: string): Point {
  const p = flow.layout[id] || { x: 0, y: 0 };
  return { x: p.x, y: p.y + HEAD_H / 2 };
}

export interface Edge {
  from: string;
  handle: string;
  to: string;
  label: string;
}

// edges are the flow's arrows: one per handle that leads to a node that exists.
export function edges(flow: Flow): Edge[] {
  const ids = new Set(flow.nodes.map((n) => n.id));
  return flow.nodes.flatMap((n) =>
    handles(n)
      .filter((h) => h.target && ids.has(h.target))
      .map((h) => ({ from: n.id, handle: h.key, to: h.target, label: h.label })),
  );
}

// edgePath is an SVG cubic from a handle to a node's entry.
export function edgePath(a: Point, b: Point): string {
  const dx = Math.max(40, Math.abs(b.x - a.x) / 2);
  return `M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}`;
}

export function getNode(flow: Flow, id: string): FlowNode | undefined {
  return flow.nodes.find((n) => n.id === id);
}

// newId picks the first free id with the type's prefix: q1, t1, end1…
export function newId(flow: Flow, type: NodeType): string {
  const prefix = type === "question" ? "q" : type === "text" ? "t" : "end";
  const used = new Set(flow.nodes.map((n) => n.id));
  for (let i = 1; ; i++) if (!used.has(prefix + i)) return prefix + i;
}

export function blankNode(id: string, type: NodeType): FlowNode {
  switch (type) {
    case "question":
      return { id, type, text: "", answer_type: "single", options: [{ value: "1", label: "" }, { value: "2", label: "" }], branches: [] };
    case "end":
      return { id, type, text: "", outcome: "" };
    default:
      return { id, type, text: "" };
  }
}

// addNode adds a blank node at a point; the first node is the start.
export function addNode(flow: Flow, type: NodeType, at: Point): FlowNode {
  const n = blankNode(newId(flow, type), type);
  flow.nodes.push(n);
  flow.layout[n.id] = { x: Math.round(at.x), y: Math.round(at.y) };
  if (!flow.start) flow.start = n.id;
  return n;
}

// removeNode deletes a node and every arrow into it; deleting the start
// makes the first node left the start.
export function removeNode(flow: Flow, id: string) {
  flow.nodes = flow.nodes.filter((n) => n.id !== id);
  delete flow.layout[id];
  for (const n of flow.nodes) retarget(n, id, "");
  if (flow.start === id) flow.start = flow.nodes[0]?.id || "";
}

// renameNode changes a node's id and every reference to it. A taken or
// empty id is refused (false).
export function renameNode(flow: Flow, from: string, to: string): boolean {
  to = to.trim();
  if (!to || to === from || getNode(flow, to)) return to === from;
  const n = getNode(flow, from);
  if (!n) return false;
  n.id = to;
  for (const m of flow.nodes) retarget(m, from, to);
  if (flow.start === from) flow.start = to;
  if (flow.layout[from]) {
    flow.layout[to] = flow.layout[from];
    delete flow.layout[from];
  }
  return true;
}

function retarget(n: FlowNode, from: string, to: string) {
  if (n.next === from) n.next = to || undefined;
  for (const o of n.options || []) if (o.next === from) o.next = to || undefined;
  for (const b of n.branches || []) if (b.next === from) b.next = to;
}

// connect points a handle at a node ("" clears it). An end node has no
// exits; a node may not lead to itself (a loop of one never ends).
export function connect(flow: Flow, fromId: string, handle: string, toId: string): boolean {
  const n = getNode(flow, fromId);
  if (!n || n.type === "end" || fromId === toId || (toId && !getNode(flow, toId))) return false;
  const [kind, idx] = handle.split(":");
  const i = Number(idx);
  if (kind === "next") n.next = toId || undefined;
  else if (kind === "opt" && n.options?.[i]) n.options[i].next = toId || undefined;
  else if (kind === "br" && n.branches?.[i]) n.branches[i].next = toId;
  else return false;
  return true;
}

export function moveNode(flow: Flow, id: string, to: Point) {
  flow.layout[id] = { x: Math.max(0, Math.round(to.x)), y: Math.max(0, Math.round(to.y)) };
}

// setType changes a node's type, keeping its id, text and incoming arrows.
export function setType(flow: Flow, id: string, type: NodeType) {
  const i = flow.nodes.findIndex((n) => n.id === id);
  if (i < 0 || flow.nodes[i].type === type) return;
  const fresh = blankNode(id, type);
  fresh.text = flow.nodes[i].text;
  flow.nodes[i] = fresh;
}

// setAnswerType switches a question's answer type: yes/no gets its two
// options, choices keep theirs, other types have none.
export function setAnswerType(n: FlowNode, t: AnswerType) {
  n.answer_type = t;
  if (t === "yes_no") n.options = [{ value: "yes", label: "是", next: n.options?.[0]?.next }, { value: "no", label: "否", next: n.options?.[1]?.next }];
  else if (!isChoice(t)) n.options = [];
  else if (!n.options?.length) n.options = [{ value: "1", label: "" }];
  if (t === "multi") for (const o of n.options || []) delete o.next;
}

// autoLayout places nodes without a place in columns by their distance
// from the start (imported scripts and those saved before layouts).
export function autoLayout(flow: Flow) {
  const depth: Record<string, number> = {};
  const queue = flow.start ? [flow.start] : [];
  if (flow.start) depth[flow.start] = 0;
  while (queue.length) {
    const id = queue.shift()!;
    const n = getNode(flow, id);
    if (!n) continue;
    for (const h of handles(n)) {
      if (h.target && depth[h.target] === undefined && getNode(flow, h.target)) {
        depth[h.target] = depth[id] + 1;
        queue.push(h.target);
      }
    }
  }
  const rows: Record<number, number> = {};
  const maxDepth = Math.max(0, ...Object.values(depth));
  for (const n of flow.nodes) {
    if (flow.layout[n.id]) continue;
    const col = depth[n.id] ?? maxDepth + 1;
    const row = rows[col] ?? 0;
    flow.layout[n.id] = { x: 30 + col * (NODE_W + 70), y: 30 + row };
    rows[col] = row + nodeHeight(n) + 30;
  }
}

// fromServer turns a script (or version) into a designer flow.
export function fromServer(s: { start?: string; nodes?: FlowNode[] | null; layout?: Record<string, Point> | null }): Flow {
  const flow: Flow = { start: s.start || "", nodes: JSON.parse(JSON.stringify(s.nodes || [])), layout: { ...(s.layout || {}) } };
  autoLayout(flow);
  return flow;
}

// toServer cleans a flow for saving: fields a node's type does not take
// are dropped (the server refuses them), empty targets are left out.
export function toServer(flow: Flow): { start: string; nodes: FlowNode[]; layout: Record<string, Point> } {
  const nodes = flow.nodes.map((n): FlowNode => {
    const out: FlowNode = { id: n.id, type: n.type };
    if (n.text) out.text = n.text;
    if (n.article_ids?.length) out.article_ids = [...n.article_ids];
    if (n.type === "end") {
      out.outcome = n.outcome || "";
      return out;
    }
    if (n.next) out.next = n.next;
    if (n.type === "question") {
      out.answer_type = n.answer_type;
      if (n.required) out.required = true;
      if (isChoice(n.answer_type)) out.options = (n.options || []).map((o) => (o.next ? { value: o.value, label: o.label, next: o.next } : { value: o.value, label: o.label }));
      if (n.branches?.length) out.branches = n.branches.map((b) => ({ op: b.op, value: b.value, next: b.next || "" }));
    }
    return out;
  });
  const layout: Record<string, Point> = {};
  for (const n of flow.nodes) if (flow.layout[n.id]) layout[n.id] = flow.layout[n.id];
  return { start: flow.start, nodes, layout };
}

// errorsByNode puts the server's validation details on the nodes they
// name ("nodes[2].options[0].next", "layout.q1"); what names no node
// (title, start) is listed under "".
export function errorsByNode(flow: Flow, details: { field: string; message: string }[], sent?: FlowNode[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const ids = sent || flow.nodes;
  for (const d of details || []) {
    let id = "";
    const m = d.field.match(/^nodes\[(\d+)\]/);
    if (m) id = ids[Number(m[1])]?.id || "";
    else if (d.field.startsWith("layout.")) id = d.field.slice("layout.".length);
    (out[id] ||= []).push(d.message);
  }
  return out;
}

// mergeFields fills {{field}} placeholders as the server does; an unknown
// field stays as written so the reader sees what is missing.
export function mergeFields(text: string, fields: Record<string, string>): string {
  return (text || "").replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (m, key: string) => {
    const k = key.startsWith("attributes.") ? key.slice("attributes.".length) : key;
    return fields[key] ?? fields[k] ?? m;
  });
}

// checkAnswer mirrors the server's check of an answer; "" means fine.
export function checkAnswer(n: FlowNode, answer: string): string {
  answer = answer.trim();
  if (!answer) return n.required || n.answer_type !== "text" ? "required" : "";
  const values = (n.options || []).map((o) => o.value);
  switch (n.answer_type) {
    case "single":
    case "yes_no":
      return values.includes(answer) ? "" : "option";
    case "multi":
      return answer.split(",").every((v) => values.includes(v.trim())) ? "" : "option";
    case "number":
      return answer !== "" && Number.isFinite(Number(answer)) ? "" : "number";
    case "rating": {
      const r = Number(answer);
      return Number.isInteger(r) && r >= 1 && r <= 10 ? "" : "rating";
    }
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(answer) && !Number.isNaN(Date.parse(answer)) ? "" : "date";
  }
  return "";
}

function matches(b: FlowBranch, t: AnswerType | undefined, answer: string): boolean {
  switch (b.op) {
    case "eq":
      return answer === b.value;
    case "ne":
      return answer !== b.value;
    case "contains":
      return t === "multi" ? answer.split(",").some((v) => v.trim() === b.value) : answer.includes(b.value);
  }
  let c: number;
  if (t === "date") c = answer < b.value ? -1 : answer > b.value ? 1 : 0;
  else {
    const x = Number(answer), y = Number(b.value);
    if (answer.trim() === "" || b.value.trim() === "" || !Number.isFinite(x) || !Number.isFinite(y)) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  return b.op === "lt" ? c < 0 : b.op === "le" ? c <= 0 : b.op === "gt" ? c > 0 : c >= 0;
}

// nextNode is where an answer leads, as the server decides it: the first
// matching branch, else the chosen option's next, else the node's next;
// "" when it leads nowhere.
export function nextNode(n: FlowNode, answer = ""): string {
  answer = answer.trim();
  if (n.type === "text") return n.next || "";
  if (n.type !== "question") return "";
  for (const b of n.branches || []) if (matches(b, n.answer_type, answer)) return b.next;
  const o = (n.options || []).find((o) => o.value === answer && o.next);
  return o?.next || n.next || "";
}
