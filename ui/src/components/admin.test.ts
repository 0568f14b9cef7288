import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { createRouter, createMemoryHistory } from "vue-router";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { useAuth } from "@/stores/auth";
import { setOpenStream } from "@/stores/monitor";
import { mockFetch } from "@/test/fetch";
import CalendarMonth from "./CalendarMonth.vue";
import Monitor from "@/pages/Monitor.vue";
import Wallboard from "@/pages/Wallboard.vue";
import Messages from "@/pages/Messages.vue";

let pinia: ReturnType<typeof createPinia>;
const router = createRouter({ history: createMemoryHistory(), routes: [
  { path: "/monitor", name: "monitor", component: { template: "<div />" } },
  { path: "/wallboard", name: "wallboard", component: { template: "<div />" } },
] });
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());
async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
  }
}
const plugins = () => ({ global: { plugins: [pinia, i18n, ElementPlus, router] } });

function fakeStream() {
  const handlers: Record<string, (e: MessageEvent) => void> = {};
  setOpenStream(() => ({ onerror: null, close() {}, addEventListener(n: string, fn: any) { handlers[n] = fn; } }));
  return (name: string, data: unknown) => handlers[name]?.({ data: JSON.stringify(data) } as MessageEvent);
}
const since = new Date(Date.now() - 65_000).toISOString();
const snapshot = {
  simulated: true, uptime_s: 9, nodes: [{ name: "sim", address: "127.0.0.1:8021", state: "up", simulated: true, channels: 1, max_channels: 100, gateways: ["carrier"] }],
  agents: [
    { agent_id: 5, name: "王小明", extension: "1005", node: "sim", state: "on_call", call_uuid: "cu-1", since, time_in_state_s: 65, group_ids: [1] },
    { agent_id: 6, name: "李四", extension: "1006", node: "sim", state: "ready", since, time_in_state_s: 65, group_ids: [1] },
  ],
  agents_by_state: { on_call: 1, ready: 1 }, queues: [{ group_id: 1, waiting: 2, longest_wait_s: 30 }],
  calls: [{ call_uuid: "cu-1", campaign_id: 3, agent_id: 5, since }],
};

describe("CalendarMonth", () => {
  it("marks holidays, make-up workdays and windows in the month shown", async () => {
    mockFetch({ "GET /holidays": [200, { items: [{ id: 1, date: "2026-10-01", name: "国庆节", kind: "holiday" }, { id: 2, date: "2026-10-10", name: "调休", kind: "workday" }], total: 2 }] });
    const cal = { id: 1, name: "c", timezone: "Asia/Shanghai", use_official_holidays: true, windows: [{ day_kind: "workday", customer_type: "", start: "09:00", end: "18:00" }], dates: [] };
    const w = mount(CalendarMonth, { props: { calendar: cal, month: new Date(2026, 9, 15) }, ...plugins() });
    await settle();
    const kind = (d: string) => w.find(`[data-day="${d}"]`).attributes("data-kind");
    expect([kind("2026-10-01"), kind("2026-10-10"), kind("2026-10-11"), kind("2026-10-12")]).toEqual(["holiday", "makeup", "weekend", "workday"]);
    expect(w.find('[data-day="2026-10-01"]').text()).toContain("国庆节");
    expect(w.find('[data-day="2026-10-12"]').text()).toContain("09:00–18:00");
    expect(w.find('[data-day="2026-10-11"]').text()).toContain("不呼叫");
  });
});

describe("Monitor page", () => {
  it("lists agents by state with time in state; listen, whisper, barge and sign-out call the API", async () => {
    const emit = fakeStream();
    const calls = mockFetch({
      "GET /monitor": [200, snapshot], "GET /monitor/notices": [200, { items: [] }], "GET /groups": [200, { items: [{ id: 1, name: "催收一组" }] }],
      "GET /campaigns": [200, { items: [{ id: 3, name: "回访" }] }], "GET /break-reasons": [200, { items: [] }],
      "POST /calls/cu-1/eavesdrop": [200, { call_uuid: "cu-1", mode: "whisper" }],
      "POST /agents/6/sign-out": [409, { error: { code: "conflict", message: "agent is not signed in", details: [{ field: "agent_id", message: "not signed in" }] } }],
    });
    useAuth(pinia).me = { permissions: ["monitor", "listen"] } as any;
    const w = mount(Monitor, { ...plugins(), attachTo: document.body });
    emit("hello", {});
    await settle();
    const rows = w.findAll(".agents-table .el-table__body tr");
    expect(rows.map((r) => r.find(".agent-name").text())).toEqual(["李四", "王小明"]); // ready first
    expect(rows[1].text()).toContain("通话中");
    expect(rows[1].find(".time-in-state").text()).toMatch(/^1:0\d$/);
    expect(rows[0].find(".do-listen").exists()).toBe(false); // no call, nothing to listen to
    expect(w.find(".calls-table").text()).toContain("回访");
    expect(w.find(".queues-table").text()).toContain("催收一组");
    expect(w.find(".nodes-table").text()).toContain("carrier");
    await rows[1].find(".do-whisper").trigger("click");
    await settle();
    expect(calls.find((c) => c.url === "/api/v1/calls/cu-1/eavesdrop")?.body).toEqual({ mode: "whisper" });
    // A refused sign-out shows the server's message and field.
    await rows[0].find(".do-sign-out").trigger("click");
    await settle();
    (document.querySelector(".el-message-box__btns .el-button--primary") as HTMLElement).click();
    await settle();
    expect(document.querySelector(".el-message--error")?.textContent).toContain("agent is not signed in: agent_id not signed in");
    // A state event moves the agent without a reload.
    emit("state", { agent_id: 6, state: "break", reason: "lunch", since: new Date().toISOString() });
    await settle();
    expect(w.find(".kpi-break .kpi").text()).toBe("1");
    w.unmount();
  });
});

describe("Wallboard", () => {
  it("shows the figures and follows the stream", async () => {
    const emit = fakeStream();
    mockFetch({
      "GET /monitor": [200, snapshot], "GET /break-reasons": [200, { items: [{ code: "lunch", label_zh: "午餐", label_en: "Lunch" }] }],
      "GET /monitor/notices": [200, { items: [{ id: 1, kind: "wallboard", title: "今日目标", text: "接通 500 通", sender_name: "班长", created_at: new Date().toISOString() }] }],
    });
    const w = mount(Wallboard, plugins());
    emit("hello", {});
    await settle();
    const value = (k: string) => w.find(`.wb-${k} .wb-value`).text();
    expect([value("signed_in"), value("ready"), value("talking"), value("waiting")]).toEqual(["2", "1", "1", "2"]);
    expect(w.find(".wb-notices").text()).toContain("今日目标");
    emit("state", { agent_id: 6, state: "break", reason: "lunch", since: new Date().toISOString() });
    emit("announcement", { id: 2, kind: "wallboard", title: "午餐时间调整", text: "", created_at: new Date().toISOString() });
    await settle();
    expect([value("ready"), value("break")]).toEqual(["0", "1"]);
    expect(w.find('[data-agent="6"]').text()).toContain("午餐");
    expect(w.findAll(".wb-notice-title").map((n) => n.text())).toEqual(["午餐时间调整", "今日目标"]);
    emit("state", { agent_id: 5, state: "signed_out", since: new Date().toISOString() });
    await settle();
    expect(value("signed_in")).toBe("1");
    w.unmount();
  });
});

// FakeES stands for the browser's EventSource on the messages page.
class FakeES {
  static OPEN = 1;
  static made: FakeES[] = [];
  readyState = 0;
  closed = false;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  handlers: Record<string, (e: MessageEvent) => void> = {};
  constructor(public url: string) { FakeES.made.push(this); }
  addEventListener(n: string, fn: any) { this.handlers[n] = fn; }
  close() { this.closed = true; }
  emit(n: string, data: unknown) { this.handlers[n]?.({ data: JSON.stringify(data) } as MessageEvent); }
}

describe("Messages page", () => {
  it("reads the inbox again when the stream brings a message; an end other than shutdown closes the stream", async () => {
    FakeES.made = [];
    vi.stubGlobal("EventSource", FakeES);
    let inbox: any[] = [];
    const calls = mockFetch({
      "GET /messages": () => [200, { items: inbox, total: inbox.length }],
      "GET /directory": [200, { items: [] }],
    });
    useAuth(pinia).me = { permissions: ["agent_desk"] } as any;
    const w = mount(Messages, { ...plugins(), attachTo: document.body });
    await settle();
    expect(calls.some((c) => c.url.startsWith("/api/v1/groups"))).toBe(false); // an agent may not list groups
    const es = FakeES.made[0];
    expect(es.url).toBe("/api/v1/me/events");
    expect(w.find(".message-list").attributes("data-live")).toBe("false");
    es.readyState = 1;
    es.onopen?.(new Event("open"));
    await settle();
    expect(w.find(".message-list").attributes("data-live")).toBe("true");
    inbox = [{ id: 1, from_name: "班长", text: "请回拨客户", created_at: new Date().toISOString() }];
    es.emit("message", { id: 1, text: "请回拨客户" });
    await settle();
    expect(w.find(".messages-table").text()).toContain("请回拨客户");
    es.emit("end", { reason: "shutdown" });
    expect(es.closed).toBe(false); // EventSource reconnects by itself
    es.emit("end", { reason: "logout" });
    await settle();
    expect(es.closed).toBe(true);
    expect(w.find(".message-list").attributes("data-live")).toBe("false");
    w.unmount();
  });
});
