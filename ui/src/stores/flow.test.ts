import { describe, it, expect } from "vitest";
import {
  addNode, removeNode, connect, renameNode, handles, edges, errorsByNode, nextNode, checkAnswer, mergeFields,
  fromServer, toServer, setType, setAnswerType, moveNode, handlePoint, inPoint, NODE_W, type Flow,
} from "./flow";

// branching builds the browser test's flow: two questions, a branch, two outcomes.
function branching(): Flow {
  const f: Flow = { start: "", nodes: [], layout: {} };
  const q1 = addNode(f, "question", { x: 20, y: 20 });
  q1.text = "您好，请问是{{name}}本人吗？";
  setAnswerType(q1, "yes_no");
  const q2 = addNode(f, "question", { x: 300, y: 20 });
  q2.text = "本月能还多少？";
  q2.answer_type = "number";
  q2.options = [];
  q2.branches = [{ op: "ge", value: "1000", next: "" }];
  const ok = addNode(f, "end", { x: 600, y: 20 });
  ok.outcome = "success";
  const no = addNode(f, "end", { x: 600, y: 200 });
  no.outcome = "partial";
  return f;
}

describe("flow graph", () => {
  it("adds nodes with free ids, the first is the start", () => {
    const f = branching();
    expect(f.nodes.map((n) => n.id)).toEqual(["q1", "q2", "end1", "end2"]);
    expect(f.start).toBe("q1");
    expect(f.layout.q2).toEqual({ x: 300, y: 20 });
    removeNode(f, "q1");
    expect(addNode(f, "question", { x: 0, y: 0 }).id).toBe("q1");
  });

  it("connects handles and draws one arrow per connected exit", () => {
    const f = branching();
    expect(handles(f.nodes[0]).map((h) => h.key)).toEqual(["opt:0", "opt:1", "next"]);
    expect(connect(f, "q1", "opt:0", "q2")).toBe(true);
    expect(connect(f, "q1", "opt:1", "end2")).toBe(true);
    expect(connect(f, "q2", "br:0", "end1")).toBe(true);
    expect(connect(f, "q2", "next", "end2")).toBe(true);
    expect(edges(f).map((e) => `${e.from}.${e.handle}>${e.to}`)).toEqual(["q1.opt:0>q2", "q1.opt:1>end2", "q2.br:0>end1", "q2.next>end2"]);
    // Refused: from an end, to itself, to a node that does not exist, a handle the node lacks.
    expect(connect(f, "end1", "next", "q1")).toBe(false);
    expect(connect(f, "q1", "next", "q1")).toBe(false);
    expect(connect(f, "q1", "next", "nope")).toBe(false);
    expect(connect(f, "q1", "opt:7", "q2")).toBe(false);
    // Clearing a handle removes its arrow.
    connect(f, "q2", "next", "");
    expect(edges(f)).toHaveLength(3);
  });

  it("removing a node removes the arrows into it and moves the start", () => {
    const f = branching();
    connect(f, "q1", "opt:0", "q2");
    connect(f, "q2", "next", "end2");
    removeNode(f, "q2");
    expect(f.nodes[0].options?.[0].next).toBeUndefined();
    expect(f.layout.q2).toBeUndefined();
    removeNode(f, "q1");
    expect(f.start).toBe("end1");
  });

  it("renames a node and every reference, refusing a taken id", () => {
    const f = branching();
    connect(f, "q1", "opt:0", "q2");
    expect(renameNode(f, "q2", "amount")).toBe(true);
    expect(f.nodes[0].options?.[0].next).toBe("amount");
    expect(f.layout.amount).toBeDefined();
    expect(renameNode(f, "amount", "q1")).toBe(false);
    expect(renameNode(f, "q1", "start_q")).toBe(true);
    expect(f.start).toBe("start_q");
  });

  it("a multi question's options lead nowhere; type changes keep the text", () => {
    const f = branching();
    const q = f.nodes[0];
    connect(f, "q1", "opt:0", "q2");
    setAnswerType(q, "multi");
    expect(handles(q).map((h) => h.key)).toEqual(["next"]);
    expect(q.options?.every((o) => !o.next)).toBe(true);
    setType(f, "q1", "text");
    expect(f.nodes[0]).toMatchObject({ id: "q1", type: "text", text: "您好，请问是{{name}}本人吗？" });
    expect(handles(f.nodes[0])).toHaveLength(1);
  });

  it("arrows start at the handle's row on the right edge and end at the left edge", () => {
    const f = branching();
    moveNode(f, "q1", { x: 10.4, y: -5 });
    expect(f.layout.q1).toEqual({ x: 10, y: 0 });
    const a = handlePoint(f, f.nodes[0], "opt:1");
    const b = handlePoint(f, f.nodes[0], "opt:0");
    expect(a.x).toBe(10 + NODE_W);
    expect(a.y).toBeGreaterThan(b.y);
    expect(inPoint(f, "q2").x).toBe(300);
  });

  it("round-trips the server's shape, placing nodes that have no place", () => {
    const f = fromServer({ start: "a", nodes: [
      { id: "a", type: "text", text: "hi", next: "b" }, { id: "b", type: "end", outcome: "ok" }], layout: { a: { x: 5, y: 5 } } });
    expect(f.layout.a).toEqual({ x: 5, y: 5 });
    expect(f.layout.b.x).toBeGreaterThan(f.layout.a.x);
    const s = toServer(f);
    expect(s.nodes).toEqual([{ id: "a", type: "text", text: "hi", next: "b" }, { id: "b", type: "end", outcome: "ok" }]);
    expect(Object.keys(s.layout)).toEqual(["a", "b"]);
  });

  it("toServer drops what a node's type does not take", () => {
    const f = branching();
    f.nodes[1].options = [{ value: "x", label: "x", next: "end1" }];
    const s = toServer(f);
    expect(s.nodes[1]).toEqual({ id: "q2", type: "question", text: "本月能还多少？", answer_type: "number", branches: [{ op: "ge", value: "1000", next: "" }] });
    expect(s.nodes[2]).toEqual({ id: "end1", type: "end", outcome: "success" });
  });

  it("puts the server's validation errors on the named nodes", () => {
    const f = branching();
    const byNode = errorsByNode(f, [
      { field: "nodes[1].next", message: 'node "q2": a dead end without an outcome' },
      { field: "nodes[0].options[1].next", message: "x" },
      { field: "layout.end1", message: "y" },
      { field: "title", message: "is required" },
    ]);
    expect(byNode.q2).toEqual(['node "q2": a dead end without an outcome']);
    expect(byNode.q1).toEqual(["x"]);
    expect(byNode.end1).toEqual(["y"]);
    expect(byNode[""]).toEqual(["is required"]);
  });
});

describe("walking a flow", () => {
  const f = branching();
  connect(f, "q1", "opt:0", "q2");
  connect(f, "q1", "opt:1", "end2");
  connect(f, "q2", "br:0", "end1");
  connect(f, "q2", "next", "end2");

  it.each([
    ["q1", "yes", "q2"],
    ["q1", "no", "end2"],
    ["q2", "1500", "end1"],
    ["q2", "1000", "end1"],
    ["q2", "200", "end2"],
  ])("%s answered %s goes to %s", (id, answer, want) => {
    expect(nextNode(f.nodes.find((n) => n.id === id)!, answer)).toBe(want);
  });

  it("checks answers as the server does", () => {
    const q2 = f.nodes[1];
    expect(checkAnswer(q2, "abc")).toBe("number");
    expect(checkAnswer(q2, "")).toBe("required");
    expect(checkAnswer({ id: "r", type: "question", answer_type: "rating" }, "11")).toBe("rating");
    expect(checkAnswer({ id: "d", type: "question", answer_type: "date" }, "2026-12-07")).toBe("");
    expect(checkAnswer({ id: "t", type: "question", answer_type: "text" }, "")).toBe("");
    expect(checkAnswer(f.nodes[0], "maybe")).toBe("option");
  });

  it("merges fields, leaving unknown ones as written", () => {
    expect(mergeFields("{{name}}，欠款{{attributes.balance}}元，{{ x }}", { name: "张三", balance: "500" })).toBe("张三，欠款500元，{{ x }}");
  });

  it("branches on dates, text and multiple choices", () => {
    const d = { id: "d", type: "question" as const, answer_type: "date" as const, branches: [{ op: "lt" as const, value: "2026-12-31", next: "soon" }], next: "late" };
    expect(nextNode(d, "2026-12-10")).toBe("soon");
    expect(nextNode(d, "2027-01-02")).toBe("late");
    const m = { id: "m", type: "question" as const, answer_type: "multi" as const, options: [{ value: "a", label: "A" }, { value: "b", label: "B" }],
      branches: [{ op: "contains" as const, value: "b", next: "hasb" }], next: "other" };
    expect(nextNode(m, "a,b")).toBe("hasb");
    expect(nextNode(m, "a")).toBe("other");
  });
});
