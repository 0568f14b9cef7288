import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useDesk, rfc3339, clock, streamURL, type EventSourceLike } from "./desk";
import { useScriptRun } from "./scriptRun";
import { mockFetch } from "@/test/fetch";

beforeEach(() => {
  setActivePinia(createPinia());
  sessionStorage.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const view = (o: object = {}) => ({ agent_id: 7, name: "李娜", extension: "1009", node: "sim", mode: "registered", session_id: 3, state: "ready",
  since: new Date().toISOString(), time_in_state_s: 0, group_ids: [1], ...o });
const contact = { id: 41, campaign_id: 2, name: "客户1", phone: "*******0001", attributes: { 欠款: "3000" } };

// FakeSource is an EventSource the test drives.
class FakeSource implements EventSourceLike {
  static made: FakeSource[] = [];
  readyState = 1;
  onerror: ((e: Event) => void) | null = null;
  onopen: ((e: Event) => void) | null = null;
  listeners: Record<string, ((e: MessageEvent) => void)[]> = {};
  closed = false;
  constructor(public url: string) {
    FakeSource.made.push(this);
  }
  addEventListener(name: string, fn: (e: MessageEvent) => void) {
    (this.listeners[name] ||= []).push(fn);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(name: string, data: unknown, id = "") {
    for (const fn of this.listeners[name] || []) fn(new MessageEvent(name, { data: JSON.stringify(data), lastEventId: id }));
  }
}
const factory = (u: string) => new FakeSource(u);

describe("helpers", () => {
  it("rfc3339 keeps the local offset", () => {
    const s = rfc3339(new Date(2026, 11, 8, 10, 30, 5));
    expect(s).toMatch(/^2026-12-08T10:30:05[+-]\d\d:\d\d$/);
    expect(new Date(s).getTime()).toBe(new Date(2026, 11, 8, 10, 30, 5).getTime());
  });
  it.each([[0, "0:00"], [59.9, "0:59"], [61, "1:01"], [3725, "1:02:05"], [-3, "0:00"]])("clock(%s) = %s", (s, want) => expect(clock(s)).toBe(want));
  it("resumes the stream after the last event", () => {
    expect(streamURL("")).toBe("/api/v1/me/events");
    expect(streamURL("42")).toBe("/api/v1/me/events?last_event_id=42");
  });
});

describe("desk store", () => {
  it("loads the state and the break reasons, and measures the clock skew", async () => {
    const since = new Date(Date.now() + 60_000 - 5_000).toISOString(); // the server's clock a minute ahead, 5 s in state
    mockFetch({
      "GET /me/state": [200, view({ state: "break", reason: "lunch", since, time_in_state_s: 5 })],
      "GET /break-reasons": [200, { items: [{ code: "lunch", label_zh: "午餐", label_en: "Lunch", sort_order: 1 }] }],
    });
    const d = useDesk();
    await d.load();
    expect(d.state).toBe("break");
    expect(d.signedIn).toBe(true);
    expect(d.reasons[0].code).toBe("lunch");
    expect(Math.round(d.skew / 1000)).toBe(60);
  });

  it("takes an offer with the customer, then its history and open callbacks by contact", async () => {
    const calls = mockFetch({
      "GET /history": [200, { contacts: [contact], attempts: [{ id: 1, destination: "*******0001", created_at: "2026-12-01T02:00:00Z", disposition: "refused" }], callbacks: [], notes: [] }],
      "GET /callbacks": [200, { items: [{ id: 9, due_at: "2026-12-09T02:00:00Z", note: "明天" }] }],
    });
    const d = useDesk();
    d.agent = view({ state: "reserved" }) as any;
    d.handle("offer", { call_uuid: "u-1", campaign_id: 2, contact, mode: "progressive", attempt_id: 5, script_id: 3 });
    expect(d.call).toMatchObject({ uuid: "u-1", script_id: 3, status: "ringing", contact: { phone: "*******0001" } });
    await vi.waitFor(() => expect(d.callbacks.length).toBe(1));
    expect(calls.map((c) => c.url)).toEqual(["/api/v1/history?contact_id=41", "/api/v1/callbacks?contact_id=41&status=scheduled%2Coffered"]);
    expect(d.history?.attempts[0].disposition).toBe("refused");
    d.handle("call", { call_uuid: "u-1", status: "held", since: "2026-12-07T02:00:00Z" });
    expect(d.call?.status).toBe("held");
    expect(d.call?.contact?.name).toBe("客户1"); // kept when the event has none
  });

  it("keeps the call over a reload when the server still names it, forgets it otherwise", async () => {
    mockFetch({ "GET /history": [200, { contacts: [], attempts: [], callbacks: [], notes: [] }], "GET /callbacks": [200, { items: [] }] });
    const d = useDesk();
    d.handle("offer", { call_uuid: "u-2", campaign_id: 2, contact, mode: "predictive", script_id: 3 });
    setActivePinia(createPinia()); // a reload: a new store, the same sessionStorage
    const again = useDesk();
    again.applyView(view({ state: "acw", disposition_call_uuid: "u-2" }) as any);
    expect(again.call?.contact?.name).toBe("客户1");
    expect(again.call?.script_id).toBe(3);
    expect(again.canDispose).toBe(true);
    again.applyView(view({ state: "ready" }) as any);
    expect(again.call).toBeNull();
    expect(sessionStorage.getItem("desk.call")).toBeNull();
  });

  it("a call the desk did not see offered is shown by its uuid", () => {
    const d = useDesk();
    d.applyView(view({ state: "on_call", call_uuid: "u-3" }) as any);
    expect(d.call).toMatchObject({ uuid: "u-3", contact: null, status: "connected" });
    expect(d.onCall).toBe(true);
  });

  it("state events move the state and reload the full view", async () => {
    const calls = mockFetch({ "GET /me/state": [200, view({ state: "on_call", call_uuid: "u-4" })], "GET /break-reasons": [200, { items: [] }] });
    const d = useDesk();
    d.agent = view() as any;
    d.handle("state", { agent_id: 7, state: "on_call", call_uuid: "u-4", since: "2026-12-07T02:00:00Z" });
    expect(d.state).toBe("on_call");
    await vi.waitFor(() => expect(d.call?.uuid).toBe("u-4"));
    expect(calls[0].url).toBe("/api/v1/me/state");
  });

  it("messages, announcements and reminders become notices; reading one sends the receipt", async () => {
    const calls = mockFetch({ "POST /messages/5/read": [200, {}] });
    const d = useDesk();
    d.handle("message", { id: 5, from_name: "班长", text: "请回拨客户" });
    d.handle("announcement", { id: 8, title: "维护", text: "22:00 维护" });
    d.handle("reminder", { kind: "callback", text: "回拨张三" });
    expect(d.notices.map((n) => n.kind)).toEqual(["reminder", "announcement", "message"]);
    expect(d.unread).toBe(3);
    await d.markRead(d.notices[2]);
    expect(d.unread).toBe(2);
    expect(calls[0].url).toBe("/api/v1/messages/5/read");
  });

  it("the stream resumes from the last event id after it gives up, and after a reload", async () => {
    vi.useFakeTimers();
    FakeSource.made = [];
    mockFetch({ "GET /me/state": [200, view()], "GET /break-reasons": [200, { items: [] }] });
    const d = useDesk();
    d.connect(factory, 1000);
    const first = FakeSource.made[0];
    expect(first.url).toBe("/api/v1/me/events");
    first.emit("hello", { last_event_id: "10" }, "10");
    first.emit("message", { id: 1, text: "hi" }, "12");
    expect(d.live).toBe(true);
    first.readyState = 2;
    first.onerror?.(new Event("error"));
    expect(d.live).toBe(false);
    expect(FakeSource.made.length).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(FakeSource.made[1].url).toBe("/api/v1/me/events?last_event_id=12");
    FakeSource.made[1].onopen?.(new Event("open")); // a resumed stream with nothing new is live too
    expect(d.live).toBe(true);
    // An "end" for a shutdown reconnects too; one for a logout does not.
    FakeSource.made[1].emit("end", { reason: "shutdown" });
    vi.advanceTimersByTime(1000);
    expect(FakeSource.made.length).toBe(3);
    FakeSource.made[2].emit("end", { reason: "logout" });
    vi.advanceTimersByTime(5000);
    expect(FakeSource.made.length).toBe(3);
    expect(FakeSource.made[2].closed).toBe(true);
    // A reload resumes where the page was.
    setActivePinia(createPinia());
    useDesk().connect(factory, 1000);
    expect(FakeSource.made[3].url).toBe("/api/v1/me/events?last_event_id=12");
    useDesk().disconnect();
  });

  it("controls and the disposition go to the call's routes; a disposition with a callback sends RFC 3339", async () => {
    const calls = mockFetch({
      "POST /me/calls/u-5/hold": [200, { call_uuid: "u-5", action: "hold" }],
      "POST /me/calls/u-5/transfer": [200, { call_uuid: "u-5", action: "transfer" }],
      "POST /me/calls/u-5/disposition": [200, { call_uuid: "u-5", action: "disposition" }],
      "GET /me/state": [200, view()],
      "GET /break-reasons": [200, { items: [] }],
    });
    const d = useDesk();
    d.call = { uuid: "u-5", campaign_id: 2, contact: null, mode: "", status: "connected" };
    await d.control("hold");
    await d.control("transfer", "group:3");
    await d.dispose({ result: "callback", note: "明天再打", callbackAt: new Date(2026, 11, 8, 10, 0, 0), dnc: false });
    expect(calls[0].body).toEqual({});
    expect(calls[1].body).toEqual({ to: "group:3" });
    expect(calls[2].body).toMatchObject({ result: "callback", note: "明天再打", dnc: false });
    expect(calls[2].body.callback_at).toMatch(/^2026-12-08T10:00:00[+-]\d\d:\d\d$/);
    expect(d.call).toBeNull();
  });

  it("a refused disposition keeps the call", async () => {
    mockFetch({ "POST /me/calls/u-6/disposition": [400, { error: { message: "invalid", details: [{ field: "callback_at", message: "is in the past" }] } }] });
    const d = useDesk();
    d.call = { uuid: "u-6", campaign_id: 2, contact: null, mode: "", status: "ended" };
    await expect(d.dispose({ result: "callback", note: "", callbackAt: new Date(2020, 0, 1), dnc: false })).rejects.toMatchObject({ status: 400 });
    expect(d.call?.uuid).toBe("u-6");
  });

  it("signs in, takes a break with a reason, answers a preview", async () => {
    const calls = mockFetch({
      "POST /me/softphone/login": [200, view({ state: "break", reason: "other", mode: "nailed_up" })],
      "POST /me/state": (c) => [200, view({ state: c.body.state, reason: c.body.reason })],
      "POST /me/preview": [200, { reservation_id: "r1" }],
    });
    const d = useDesk();
    await d.signIn("nailed_up");
    expect(calls[0].body).toEqual({ mode: "nailed_up" });
    await d.setState("break", "lunch");
    expect(calls[1].body).toEqual({ state: "break", reason: "lunch" });
    await d.setState("ready");
    expect(calls[2].body).toEqual({ state: "ready" });
    d.handle("preview", { reservation_id: "r1", contact_id: 4, phone: "****1234", mode: "preview" });
    expect(d.preview?.phone).toBe("****1234");
    await d.answerPreview(false, "客户已还款");
    expect(calls[3].body).toEqual({ skip: "客户已还款" });
    expect(d.preview).toBeNull();
  });
});

const session = (o: object = {}) => ({
  id: 1, call_uuid: "u-1", script_id: 3, version: 1, status: "active", current: "q1", path: [], title: "回访", answers: [],
  nodes: [
    { id: "q1", type: "question", text: "是本人吗？", answer_type: "yes_no", options: [{ value: "yes", label: "是", next: "q2" }, { value: "no", label: "不是", next: "end_no" }] },
    { id: "q2", type: "question", text: "满意度？", answer_type: "rating", next: "end_ok" },
    { id: "end_ok", type: "end", outcome: "success" },
    { id: "end_no", type: "end", outcome: "wrong_person" },
  ],
  ...o,
});

describe("script run store", () => {
  it("starts the call's session, answers, goes back, pauses and resumes", async () => {
    const calls = mockFetch({
      "POST /me/script-sessions": [200, session()],
      "POST /me/script-sessions/u-1/answers": (c) => c.body.node_id === "q1"
        ? [200, session({ current: "q2", path: ["q1"], answers: [{ node_id: "q1", value: c.body.value }] })]
        : [200, session({ current: "end_ok", path: ["q1", "q2"], status: "finished", outcome: "success", answers: [{ node_id: "q1", value: "yes" }, { node_id: "q2", value: c.body.value }] })],
      "POST /me/script-sessions/u-1/pause": [200, session({ current: "q2", path: ["q1"], status: "paused", pause_reason: "complaint", answers: [{ node_id: "q1", value: "yes" }] })],
      "POST /me/script-sessions/u-1/resume": [200, session({ current: "q2", path: ["q1"], answers: [{ node_id: "q1", value: "yes" }] })],
    });
    const r = useScriptRun();
    await r.start("u-1");
    expect(calls[0].body).toEqual({ call_uuid: "u-1" });
    expect(r.node?.id).toBe("q1");
    expect(r.canBack).toBe(false);
    await r.answer("yes");
    expect(r.node?.id).toBe("q2");
    expect(r.answered).toEqual([{ node_id: "q1", question: "是本人吗？", value: "yes", label: "是" }]);
    r.back();
    expect(r.node?.id).toBe("q1");
    expect(r.answerOf).toBe("yes");
    r.forward();
    expect(r.node?.id).toBe("q2");
    await r.pause("complaint");
    expect(r.paused).toBe(true);
    expect(calls.at(-1)?.body).toEqual({ reason: "complaint", note: "" });
    await r.resume();
    expect(r.paused).toBe(false);
    await r.answer("9");
    expect(calls.at(-1)?.body).toEqual({ node_id: "q2", value: "9" });
    expect(r.finished).toBe(true);
    expect(r.view?.outcome).toBe("success");
    await r.start("u-1"); // the same call again: no new request
    expect(calls.filter((c) => c.method === "POST" && c.url.endsWith("/me/script-sessions")).length).toBe(1);
  });

  it("answering an earlier node sends that node", async () => {
    const calls = mockFetch({ "POST /me/script-sessions/u-1/answers": [200, session({ current: "end_no", path: ["q1"], status: "finished" })] });
    const r = useScriptRun();
    r.view = session({ current: "q2", path: ["q1"], answers: [{ node_id: "q1", value: "yes" }] }) as any;
    r.back();
    await r.answer("no");
    expect(calls[0].body).toEqual({ node_id: "q1", value: "no" });
    expect(r.viewing).toBe("");
  });
});

describe("manual dial, answer and verification", () => {
  it("dials a number with the server's caller ID and shows the call ringing", async () => {
    const calls = mockFetch({ "POST /me/calls/new/dial": [200, { call_uuid: "m-1", caller_id: "02161234567", attempt_id: 8 }] });
    const d = useDesk();
    d.agent = view({ state: "ready" }) as any;
    const r = await d.dial(" 13900770002 ", "");
    expect(calls[0].body).toEqual({ phone: "13900770002" }); // no caller_id: the pool's choice
    expect(r.caller_id).toBe("02161234567");
    expect(d.call).toMatchObject({ uuid: "m-1", status: "ringing", attempt_id: 8, mode: "manual", dialed: "13900770002" });
    // Offered to the agent: still the manual call with its number.
    d.handle("offer", { call_uuid: "m-1", campaign_id: 0, contact: null, mode: "progressive" });
    expect(d.call).toMatchObject({ mode: "manual", dialed: "13900770002", offered: true });
    // The stream named the call before the answer came: the same call, made manual.
    d.setCall(null);
    d.handle("call", { call_uuid: "m-1", campaign_id: 4, status: "ringing" });
    await d.dial("13900770002", 4, 41);
    expect(calls[1].body).toEqual({ phone: "13900770002", contact_id: 41 }); // the campaign is the contact's
    expect(d.call).toMatchObject({ uuid: "m-1", campaign_id: 4, mode: "manual", dialed: "13900770002" });
    // Another call's offer is that call's.
    d.handle("offer", { call_uuid: "p-2", campaign_id: 2, contact: null, mode: "progressive" });
    expect(d.call).toMatchObject({ uuid: "p-2", mode: "progressive" });
    expect(d.call?.dialed).toBeUndefined();
  });

  it("dials an assigned contact on its first dialable number; only a call with a contact books callbacks", async () => {
    const calls = mockFetch({
      "GET /me/tasks": [200, { items: [{ id: 41, campaign_id: 4, name: "王芳", phone: "138****0021" }], total: 1 }],
      "POST /me/calls/new/dial": (c) => [200, { call_uuid: c.body.contact_id ? "c-1" : "n-1", caller_id: "02161234567", attempt_id: 9 }],
      "GET /history": [200, { contacts: [], attempts: [], callbacks: [], messages: [], notes: [], ivr: [], scripts: [] }],
      "GET /callbacks": [200, { items: [], total: 0 }],
      "POST /me/calls/c-1/disposition": [200, { call_uuid: "c-1", action: "disposition" }],
      "POST /me/calls/n-1/disposition": [200, { call_uuid: "n-1", action: "disposition" }],
      "GET /me/state": [200, view()],
      "GET /break-reasons": [200, { items: [] }],
    });
    const d = useDesk();
    d.agent = view({ state: "ready" }) as any;
    await d.loadTasks();
    expect(d.tasks.map((c) => c.id)).toEqual([41]);
    await d.dial("", "", 41, d.tasks[0]);
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ contact_id: 41 }); // no phone: the server picks the contact's
    expect(d.call).toMatchObject({ uuid: "c-1", campaign_id: 4, mode: "manual", contact: { id: 41 } });
    // The offer without a contact keeps the one dialed.
    d.handle("offer", { call_uuid: "c-1", campaign_id: 4, contact: null, mode: "progressive" });
    expect(d.call).toMatchObject({ mode: "manual", contact: { id: 41 } });
    expect(d.callbackAllowed).toBe(true);
    const due = new Date(2035, 0, 2, 10, 0, 0);
    await d.dispose({ result: "callback", note: "", callbackAt: due, dnc: true });
    expect(calls.filter((c) => c.url.includes("/c-1/disposition"))[0].body).toMatchObject({ dnc: true, callback_at: expect.stringMatching(/^2035-01-02T10:00:00/) });

    // A number dialed without a contact: no callback, no do-not-call.
    await d.dial("13800000023", "");
    expect(d.callbackAllowed).toBe(false);
    await d.dispose({ result: "refused", note: "", callbackAt: due, dnc: true });
    const body = calls.filter((c) => c.url.includes("/n-1/disposition"))[0].body;
    expect(body).toMatchObject({ result: "refused", dnc: false });
    expect(body.callback_at).toBeUndefined();
  });

  it("offers the answer button once the call is offered to the reserved agent, not while verifying", async () => {
    let tries = 0;
    const calls = mockFetch({ "POST /me/calls/m-1/answer": () => (++tries < 3 ? [409, { error: { code: "conflict", message: "no phone of yours is ringing" } }] : [200, { ok: true }]) });
    const d = useDesk();
    d.agent = view({ state: "reserved", call_uuid: "m-1" }) as any;
    expect(d.ringing).toBe(false); // no call yet
    d.handle("call", { call_uuid: "m-1", campaign_id: 0, status: "ringing" });
    expect(d.ringing).toBe(false); // the customer's number rings, not the agent's phone
    d.handle("offer", { call_uuid: "m-1", campaign_id: 0, contact: null, mode: "progressive" });
    expect(d.ringing).toBe(true);
    // Clicked just before the phone rang: tried again until it does.
    await d.answer(1, 5000);
    expect(calls).toHaveLength(3);
    expect(calls[2].url).toBe("/api/v1/me/calls/m-1/answer");
    // Not forever: the refusal is shown once the patience is over.
    tries = -100;
    await expect(d.answer(1, 20)).rejects.toThrow("no phone of yours is ringing");
    d.agent = view({ state: "on_call", call_uuid: "m-1" }) as any;
    expect(d.ringing).toBe(false);
    d.agent = view({ state: "reserved", call_uuid: "m-1" }) as any;
    d.verify = { call_uuid: "m-1", flow: "verify_id", status: "pending", ok: false, attempts: 0 };
    expect(d.ringing).toBe(false);
    expect(d.verifying).toBe(true);
  });

  it("sends the customer to verification and shows the result from the stream and from GET /me/state", async () => {
    const calls = mockFetch({ "POST /me/calls/u-1/verify": [200, { ok: true }] });
    const d = useDesk();
    d.agent = view({ state: "on_call", call_uuid: "u-1" }) as any;
    d.handle("offer", { call_uuid: "u-1", campaign_id: 2, contact: null, mode: "progressive" });
    await d.startVerify();
    expect(calls[0].url).toBe("/api/v1/me/calls/u-1/verify");
    expect(d.verify?.status).toBe("pending");
    d.handle("verify_result", { call_uuid: "u-1", ok: false, attempts: 3, result: "failed", flow: "verify_id" });
    expect(d.verify).toMatchObject({ status: "failed", attempts: 3, ok: false });
    expect(d.verifying).toBe(false);
    // A reload: GET /me/state names the result of the call.
    d.applyView(view({ state: "on_call", call_uuid: "u-1", verify: { call_uuid: "u-1", flow: "verify_id", status: "verified", ok: true, attempts: 1, started: "" } }) as any);
    expect(d.verify?.status).toBe("verified");
    // The next call forgets it.
    d.applyView(view({ state: "ready" }) as any);
    expect(d.verify).toBeNull();
  });
});
