import { describe, it, expect } from "vitest";
import { mount } from "@vue/test-utils";
import { createPinia } from "pinia";
import ElementPlus from "element-plus";
import { i18n } from "@/i18n";
import FlowCanvas from "./FlowCanvas.vue";
import NodePanel from "./NodePanel.vue";
import FlowPreview from "./FlowPreview.vue";
import { addNode, connect, setAnswerType, type Flow } from "@/stores/flow";

const plugins = () => ({ global: { plugins: [createPinia(), i18n, ElementPlus] } });

function flow(): Flow {
  const f: Flow = { start: "", nodes: [], layout: {} };
  const q = addNode(f, "question", { x: 10, y: 10 });
  q.text = "{{name}}本人吗？";
  setAnswerType(q, "yes_no");
  addNode(f, "question", { x: 300, y: 10 }).text = "金额？";
  f.nodes[1].answer_type = "number";
  f.nodes[1].options = [];
  addNode(f, "end", { x: 600, y: 10 }).outcome = "ok";
  connect(f, "q1", "opt:0", "q2");
  connect(f, "q1", "opt:1", "end1");
  return f;
}

describe("FlowCanvas", () => {
  it("draws nodes at their places, one arrow per connected exit, errors on the named node", () => {
    const w = mount(FlowCanvas, { props: { flow: flow(), selected: "q2", errors: { q2: ['node "q2": a dead end without an outcome'] } }, ...plugins() });
    expect(w.findAll(".flow-node").map((n) => n.attributes("data-node"))).toEqual(["q1", "q2", "end1"]);
    expect(w.get(".flow-node[data-node=q2]").attributes("style")).toContain("left: 300px");
    expect(w.findAll(".edge").map((e) => `${e.attributes("data-from")}>${e.attributes("data-to")}`)).toEqual(["q1>q2", "q1>end1"]);
    expect(w.get(".flow-node[data-node=q2]").classes()).toContain("invalid");
    expect(w.get(".flow-node[data-node=q2] .node-errors").text()).toContain("dead end");
    expect(w.find(".flow-node[data-node=q1] .node-errors").exists()).toBe(false);
    expect(w.get(".flow-node[data-node=q1] .node-body").text()).toBe("{{name}}本人吗？");
  });
});

describe("NodePanel", () => {
  it("edits the selected node; deleting it removes its arrows", async () => {
    const f = flow();
    const w = mount(NodePanel, { props: { flow: f, selected: "q2", errors: { q2: ["bad"] } }, ...plugins() });
    expect(w.get(".panel-error").text()).toContain("bad");
    await w.get("textarea[name=node-text]").setValue("本月还多少？");
    expect(f.nodes[1].text).toBe("本月还多少？");
    await w.get(".delete-node").trigger("click");
    expect(f.nodes.map((n) => n.id)).toEqual(["q1", "end1"]);
    expect(f.nodes[0].options?.[0].next).toBeUndefined();
    expect(w.emitted("select")?.at(-1)).toEqual([""]);
  });
});

describe("FlowPreview", () => {
  it("walks the flow: merged text, an answer leads on, back returns", async () => {
    const w = mount(FlowPreview, { props: { flow: flow() }, ...plugins() });
    expect(w.get(".pv-text").text()).toBe("张三本人吗？");
    await w.get(".pv-answer[data-value=no]").trigger("click");
    expect(w.get(".pv-outcome").attributes("data-outcome")).toBe("ok");
    await w.get(".pv-back").trigger("click");
    await w.get(".pv-answer[data-value=yes]").trigger("click");
    expect(w.get(".pv-node").attributes("data-node")).toBe("q2");
  });
});
