import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { applyCall, applyState, countByState, duration, serverSkew, setOpenStream, useMonitor, MonitorLive, type AgentView } from "./monitor";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const agent = (id: number, state: string, extra: Partial<AgentView> = {}): AgentView => ({
  agent_id: id, name: `坐席${id}`, extension: `10${id}`, node: "fs1", state, since: "2026-12-07T02:00:00Z", group_ids: [1], ...extra,
});

describe("applyState", () => {
  it("changes a listed agent's state and keeps what the event does not carry", () => {
    const out = applyState([agent(1, "ready")], { agent_id: 1, state: "on_call", call_uuid: "u1", since: "2026-12-07T02:05:00Z" });
    expect(out).toEqual([{ ...agent(1, "ready"), state: "on_call", call_uuid: "u1", reason: "", since: "2026-12-07T02:05:00Z" }]);
  });
  it("adds an agent who signs in and drops one who signs out", () => {
    const added = applyState([agent(1, "ready")], { agent_id: 2, agent_name: "李四", state: "break", reason: "lunch", since: "2026-12-07T02:05:00Z" });
    expect(added.map((a) => [a.agent_id, a.name, a.state, a.reason || ""])).toEqual([[1, "坐席1", "ready", ""], [2, "李四", "break", "lunch"]]);
    expect(applyState(added, { agent_id: 1, state: "signed_out", since: "x" }).map((a) => a.agent_id)).toEqual([2]);
    expect(applyState(added, { agent_id: 9, state: "signed_out", since: "x" })).toBe(added);
  });
});

describe("applyCall", () => {
  it("keeps the call's first time, drops an ended one", () => {
    let calls = applyCall([], { call_uuid: "u1", campaign_id: 3, agent_id: 1, status: "connected", since: "t1" });
    calls = applyCall(calls, { call_uuid: "u1", campaign_id: 3, agent_id: 1, status: "held", since: "t2" });
    expect(calls).toEqual([{ call_uuid: "u1", campaign_id: 3, agent_id: 1, since: "t1", status: "held" }]);
    expect(applyCall(calls, { call_uuid: "u1", status: "ended" })).toEqual([]);
  });
});

describe("figures", () => {
  it("counts every state, zero when none", () => {
    expect(countByState([agent(1, "ready"), agent(2, "ready"), agent(3, "acw")])).toEqual({ ready: 2, reserved: 0, on_call: 0, hold: 0, acw: 1, break: 0 });
  });
  it.each([[0, "0:00"], [59.9, "0:59"], [61, "1:01"], [3600, "1:00:00"], [3725, "1:02:05"], [-5, "0:00"]])("duration(%s) = %s", (s, want) => {
    expect(duration(s)).toBe(want);
  });
  it("takes the server's clock from the snapshot, ignoring rounding", () => {
    const since = Date.parse("2026-12-07T02:00:00Z");
    expect(serverSkew([agent(1, "ready", { time_in_state_s: 60 })], since + 60_000 - 30_000)).toBe(30_000);
    expect(serverSkew([agent(1, "ready", { time_in_state_s: 60 })], since + 60_400)).toBe(0);
    expect(serverSkew([], 0)).toBe(0);
  });
});

// fakeStream stands for EventSource: the test emits named events.
function fakeStream() {
  const handlers: Record<string, (e: MessageEvent) => void> = {};
  const src = { url: "", closed: false, onerror: null as any, close() { this.closed = true; }, addEventListener(n: string, fn: any) { handlers[n] = fn; } };
  const emit = (name: string, data: unknown) => handlers[name]?.({ data: JSON.stringify(data) } as MessageEvent);
  return { src, emit };
}

describe("MonitorLive", () => {
  it("loads the snapshot on hello and follows state, call and notice events", async () => {
    const snap = { simulated: true, nodes: [{ name: "sim", state: "up" }], uptime_s: 5, agents: [agent(1, "ready")], agents_by_state: { ready: 1 },
      queues: [{ group_id: 1, waiting: 2, longest_wait_s: 40 }, { group_id: 2, waiting: 1, longest_wait_s: 75 }], calls: [] };
    const calls = mockFetch({ "GET /monitor": [200, snap], "GET /monitor/notices": [200, { items: [{ id: 7, kind: "wallboard", title: "早会", text: "9点", created_at: "t" }], total: 1 }] });
    const f = fakeStream();
    setOpenStream((url) => ((f.src.url = url), f.src));
    const m = useMonitor();
    const live = new MonitorLive(m);
    live.start();
    expect(f.src.url).toBe("/api/v1/monitor/events");
    f.emit("hello", {});
    await vi.waitFor(() => expect(m.loaded).toBe(true));
    expect(m.live).toBe(true);
    expect(m.waiting).toBe(3);
    expect(m.longestWait).toBe(75);
    await vi.waitFor(() => expect(m.notices.map((n) => n.id)).toEqual([7]));
    f.emit("state", { agent_id: 1, state: "on_call", call_uuid: "u1", since: "2026-12-07T02:10:00Z" });
    expect(m.byState.on_call).toBe(1);
    expect(m.byState.ready).toBe(0);
    f.emit("call", { call_uuid: "u1", campaign_id: 3, agent_id: 1, status: "connected", since: "2026-12-07T02:10:00Z" });
    expect(m.calls).toHaveLength(1);
    f.emit("announcement", { id: 8, kind: "wallboard", title: "新通知", text: "", created_at: "t" });
    f.emit("announcement", { id: 9, kind: "announcement", title: "not for the wallboard", text: "", created_at: "t" });
    expect(m.notices.map((n) => n.id)).toEqual([8, 7]);
    f.emit("announcement_withdrawn", { id: 7 });
    expect(m.notices.map((n) => n.id)).toEqual([8]);
    expect(calls.filter((c) => c.url === "/api/v1/monitor").length).toBeGreaterThanOrEqual(1);
    live.stop();
    expect(f.src.closed).toBe(true);
    expect(m.live).toBe(false);
  });

  it("reconnects after a shutdown, not after a sign-out", async () => {
    vi.useFakeTimers();
    mockFetch({ "GET /monitor": [200, { nodes: [], agents: [], queues: [], calls: [] }], "GET /monitor/notices": [200, { items: [] }] });
    const opened: ReturnType<typeof fakeStream>[] = [];
    setOpenStream(() => {
      const f = fakeStream();
      opened.push(f);
      return f.src;
    });
    const live = new MonitorLive(useMonitor());
    live.start();
    opened[0].emit("end", { reason: "shutdown" });
    expect(opened[0].src.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(opened).toHaveLength(2);
    opened[1].emit("end", { reason: "logout" });
    await vi.advanceTimersByTimeAsync(10000);
    expect(opened).toHaveLength(2);
    live.stop();
  });
});
