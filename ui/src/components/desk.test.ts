import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { useDesk } from "@/stores/desk";
import { useScriptRun } from "@/stores/scriptRun";
import { mockFetch } from "@/test/fetch";
import DispositionForm from "./DispositionForm.vue";
import ScriptPanel from "./ScriptPanel.vue";

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
  sessionStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());
const plugins = () => ({ global: { plugins: [pinia, i18n, ElementPlus] }, attachTo: document.body });

const session = (o: object = {}) => ({
  id: 1, call_uuid: "u-1", script_id: 3, version: 2, status: "active", current: "q1", path: [], title: "回访话术", answers: [],
  nodes: [
    { id: "q1", type: "question", text: "请问是本人吗？", answer_type: "yes_no", options: [{ value: "yes", label: "是" }, { value: "no", label: "不是" }] },
    { id: "t1", type: "text", text: "请尽快还款。" },
    { id: "end_ok", type: "end", outcome: "promised" },
  ],
  ...o,
});

describe("DispositionForm", () => {
  it("shows the script's answers, takes its outcome as the result, and names the field the server refused", async () => {
    const calls = mockFetch({
      "POST /me/calls/u-1/disposition": [400, { error: { code: "invalid", message: "请求无效", details: [{ field: "callback_at", message: "is in the past" }] } }],
    });
    const desk = useDesk();
    desk.agent = { agent_id: 7, state: "acw", disposition_call_uuid: "u-1" } as any;
    desk.call = { uuid: "u-1", campaign_id: 2, contact: null, mode: "", status: "ended" };
    useScriptRun().view = session({ status: "finished", current: "end_ok", path: ["q1", "t1"], outcome: "promised", answers: [{ node_id: "q1", value: "yes" }] }) as any;
    const w = mount(DispositionForm, plugins());
    await flushPromises();
    expect(w.find("#dispo-answers").text()).toContain("请问是本人吗？");
    expect(w.find("#dispo-answers").text()).toContain("是");
    await w.find("form").trigger("submit");
    await flushPromises();
    expect(calls[0].body).toMatchObject({ result: "promised", dnc: false });
    await vi.waitFor(() => expect(w.text()).toContain("is in the past")); // under the callback field
    expect(w.find("#dispo-error").text()).toContain("请求无效");
    expect(desk.call?.uuid).toBe("u-1");
    w.unmount();
  });

  it("cannot be submitted before the hang-up", async () => {
    const desk = useDesk();
    desk.agent = { agent_id: 7, state: "on_call", call_uuid: "u-1" } as any;
    desk.call = { uuid: "u-1", campaign_id: 2, contact: null, mode: "", status: "connected" };
    const w = mount(DispositionForm, plugins());
    await flushPromises();
    expect(w.find("#dispose").attributes("disabled")).toBeDefined();
    expect(w.text()).toContain("挂断后");
    w.unmount();
  });
});

describe("ScriptPanel", () => {
  it("answers with an option, goes on from a text node, pauses with a reason", async () => {
    const calls = mockFetch({
      "POST /me/script-sessions/u-1/answers": (c) => c.body.node_id === "q1"
        ? [200, session({ current: "t1", path: ["q1"], answers: [{ node_id: "q1", value: c.body.value }] })]
        : [200, session({ current: "end_ok", path: ["q1", "t1"], status: "finished", outcome: "promised", answers: [{ node_id: "q1", value: "yes" }] })],
      "POST /me/script-sessions/u-1/pause": [200, session({ current: "t1", path: ["q1"], status: "paused", pause_reason: "service" })],
    });
    useScriptRun().view = session() as any;
    const w = mount(ScriptPanel, plugins());
    await flushPromises();
    expect(w.find(".walk-text").text()).toBe("请问是本人吗？");
    const yes = w.findAll(".walk-option").find((b) => b.text() === "是")!;
    await yes.trigger("click");
    await flushPromises();
    expect(calls[0].body).toEqual({ node_id: "q1", value: "yes" });
    expect(w.find(".walk-text").text()).toBe("请尽快还款。");
    await w.find("#script-pause").trigger("click");
    await flushPromises();
    expect(calls[1].body).toEqual({ reason: "service", note: "" });
    expect(w.find("#script-paused").text()).toContain("其他业务");
    expect(w.find(".walk-next").exists()).toBe(false); // no answering while paused
    expect(w.find("#script-resume").exists()).toBe(true);
    w.unmount();
  });

  it("opens the node's linked article and sends feedback on the node in the version the call runs", async () => {
    const calls = mockFetch({
      "GET /kb/read/9": [200, { id: 9, title: "还款渠道说明", body: "手机银行均可还款。" }],
      "POST /scripts/3/feedback": [201, { id: 1 }],
    });
    const nodes = session().nodes.map((n) => (n.id === "q1" ? { ...n, article_ids: [9] } : n));
    useScriptRun().view = session({ nodes }) as any;
    const w = mount(ScriptPanel, plugins());
    await flushPromises();
    await w.find(".kb-link").trigger("click");
    await flushPromises();
    expect(calls[0].url).toBe("/api/v1/kb/read/9");
    expect(document.body.querySelector(".kb-reader")?.textContent).toContain("手机银行均可还款。");
    expect((w.find("#send-feedback").element as HTMLButtonElement).disabled).toBe(true); // nothing written yet
    await w.find("input[name=feedback]").setValue("建议补充分期说明");
    await w.find("form.feedback").trigger("submit");
    await flushPromises();
    expect(calls[1].body).toEqual({ version: 2, node_id: "q1", comment: "建议补充分期说明" });
    expect((w.find("input[name=feedback]").element as HTMLInputElement).value).toBe("");
    w.unmount();
  });

  it("shows the end with its outcome", async () => {
    useScriptRun().view = session({ status: "finished", current: "end_ok", path: ["q1", "t1"], outcome: "promised" }) as any;
    const w = mount(ScriptPanel, plugins());
    await flushPromises();
    expect(w.find(".walk-end").text()).toContain("promised");
    expect(w.find("#script-pause").exists()).toBe(false);
    w.unmount();
  });
});
