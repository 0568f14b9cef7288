import { defineStore } from "pinia";
import { api } from "@/api/client";

// The live monitor: GET /monitor gives the snapshot (nodes, signed-in agents
// with state and time in state, queues, calls); the supervisors' stream
// GET /monitor/events keeps it current (agent states, calls, announcements and
// wallboard notices). The monitor page and the wallboard share this store.

export interface AgentView {
  agent_id: number;
  name: string;
  extension: string;
  node: string;
  mode?: string;
  state: string;
  reason?: string;
  call_uuid?: string;
  since: string;
  time_in_state_s?: number;
  group_ids: number[] | null;
}

export interface QueueView {
  group_id: number;
  waiting: number;
  longest_wait_s: number;
}

export interface CallView {
  call_uuid: string;
  campaign_id: number;
  agent_id: number;
  since: string;
  status?: string;
}

export interface NodeState {
  name: string;
  address: string;
  state: string;
  simulated: boolean;
  channels: number;
  max_channels: number;
  max_cps: number;
  last_error?: string;
  gateways?: string[];
  missing_modules?: string[];
}

export interface Notice {
  id: number;
  kind: string;
  title: string;
  text: string;
  sender_name?: string;
  expires_at?: string | null;
  created_at: string;
}

export interface Snapshot {
  simulated: boolean;
  nodes: NodeState[];
  uptime_s: number;
  agents: AgentView[];
  agents_by_state: Record<string, number>;
  queues: QueueView[];
  calls: CallView[];
}

// The states an agent can be in, in the order the pages show them.
export const AGENT_STATES = ["ready", "reserved", "on_call", "hold", "acw", "break"];

// applyState folds a "state" event into the agent list: a signed-out agent
// leaves it, an agent not yet listed joins it (the event carries no
// extension or node; the next snapshot fills them in).
export function applyState(agents: AgentView[], ev: any): AgentView[] {
  const i = agents.findIndex((a) => a.agent_id === ev.agent_id);
  if (ev.state === "signed_out") return i < 0 ? agents : agents.filter((a) => a.agent_id !== ev.agent_id);
  const prev = i >= 0 ? agents[i] : ({ agent_id: ev.agent_id, name: ev.agent_name || `#${ev.agent_id}`, extension: "", node: "", group_ids: [] } as unknown as AgentView);
  const next: AgentView = {
    ...prev,
    name: ev.agent_name || prev.name,
    state: ev.state,
    reason: ev.reason || "",
    call_uuid: ev.call_uuid || "",
    since: ev.since,
    group_ids: ev.group_ids ?? prev.group_ids,
  };
  const out = [...agents];
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

// applyCall folds a "call" event into the calls in progress.
export function applyCall(calls: CallView[], ev: any): CallView[] {
  const rest = calls.filter((c) => c.call_uuid !== ev.call_uuid);
  if (ev.status === "ended") return rest;
  const prev = calls.find((c) => c.call_uuid === ev.call_uuid);
  return [...rest, { call_uuid: ev.call_uuid, campaign_id: ev.campaign_id, agent_id: ev.agent_id, since: prev?.since || ev.since, status: ev.status }];
}

// countByState counts agents per state (every state present, 0 when none).
export function countByState(agents: AgentView[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(AGENT_STATES.map((s) => [s, 0]));
  for (const a of agents) out[a.state] = (out[a.state] || 0) + 1;
  return out;
}

// duration writes seconds as m:ss, or h:mm:ss from an hour on.
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// serverSkew estimates server time minus this browser's time from one
// agent of a fresh snapshot (since + time in state = the server's now), so
// times in state do not depend on the browser's clock.
export function serverSkew(agents: AgentView[], clientNow: number): number {
  const a = agents.find((x) => x.since && x.time_in_state_s !== undefined);
  if (!a) return 0;
  const serverNow = Date.parse(a.since) + (a.time_in_state_s as number) * 1000;
  const skew = serverNow - clientNow;
  // Within a second it is rounding, not a clock apart.
  return Math.abs(skew) < 1500 ? 0 : skew;
}

type Source = { close(): void; addEventListener(name: string, fn: (e: MessageEvent) => void): void; onerror: ((e: Event) => void) | null };

// openStream is replaced in unit tests.
export let openStream = (url: string): Source => new EventSource(url, { withCredentials: true }) as unknown as Source;
export function setOpenStream(fn: (url: string) => Source) {
  openStream = fn;
}

const STREAM_EVENTS = ["hello", "reset", "end", "state", "call", "announcement", "announcement_withdrawn"];

export const useMonitor = defineStore("monitor", {
  state: () => ({
    nodes: [] as NodeState[],
    agents: [] as AgentView[],
    queues: [] as QueueView[],
    calls: [] as CallView[],
    notices: [] as Notice[],
    simulated: false,
    uptime: 0,
    skew: 0,
    now: Date.now(),
    loaded: false,
    live: false, // the stream is open
    error: "",
    lastEvent: "", // name of the last event received (the wallboard shows it was live)
    events: 0,
  }),
  getters: {
    byState: (s) => countByState(s.agents),
    waiting: (s) => s.queues.reduce((n, q) => n + q.waiting, 0),
    longestWait: (s) => s.queues.reduce((n, q) => Math.max(n, q.longest_wait_s), 0),
  },
  actions: {
    async load() {
      try {
        const m = await api<Snapshot>("GET", "/monitor");
        this.nodes = m.nodes || [];
        this.agents = m.agents || [];
        this.queues = m.queues || [];
        this.calls = m.calls || [];
        this.simulated = m.simulated;
        this.uptime = m.uptime_s;
        this.skew = serverSkew(this.agents, Date.now());
        this.loaded = true;
        this.error = "";
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
      }
    },
    async loadNotices() {
      try {
        const r = await api<{ items: Notice[] }>("GET", "/monitor/notices");
        this.notices = r.items || [];
      } catch {
        /* the wallboard shows figures without notices */
      }
    },
    // secondsIn is how long an agent has been in its state, by the server's clock.
    secondsIn(a: AgentView): number {
      return (this.now + this.skew - Date.parse(a.since)) / 1000;
    },
    handle(name: string, data: any) {
      this.lastEvent = name;
      this.events++;
      switch (name) {
        case "hello":
        case "reset":
          this.load();
          this.loadNotices();
          break;
        case "state":
          this.agents = applyState(this.agents, data);
          break;
        case "call":
          this.calls = applyCall(this.calls, data);
          break;
        case "announcement":
          if (data?.kind === "wallboard") this.notices = [data, ...this.notices.filter((n) => n.id !== data.id)];
          break;
        case "announcement_withdrawn":
          this.notices = this.notices.filter((n) => n.id !== data?.id);
          break;
      }
    },
  },
});

// MonitorLive connects the store to the stream, ticks the clock every second
// and refreshes the snapshot now and then (queues and nodes have no events).
export class MonitorLive {
  private src: Source | null = null;
  private timers: number[] = [];
  private retry = 0;
  private stopped = false;
  constructor(private m: ReturnType<typeof useMonitor>, private refreshMs = 10000) {}

  start() {
    this.stopped = false;
    this.m.load();
    this.m.loadNotices();
    this.timers.push(window.setInterval(() => (this.m.now = Date.now()), 1000));
    this.timers.push(window.setInterval(() => this.m.load(), this.refreshMs));
    this.open();
  }

  private open() {
    if (this.stopped) return;
    const src = openStream("/api/v1/monitor/events");
    this.src = src;
    for (const name of STREAM_EVENTS) {
      src.addEventListener(name, (e: MessageEvent) => {
        this.m.live = true;
        let data: any = null;
        try {
          data = e.data ? JSON.parse(e.data) : null;
        } catch {
          return;
        }
        if (name === "end") return this.ended(data?.reason);
        this.m.handle(name, data);
      });
    }
    // EventSource reconnects by itself (with Last-Event-ID) after a network error.
    src.onerror = () => {
      this.m.live = false;
    };
  }

  // ended: the server closed the stream; after a sign-out or expiry there is
  // nothing to come back to, otherwise reconnect a little later.
  private ended(reason: string) {
    this.src?.close();
    this.src = null;
    this.m.live = false;
    if (reason === "logout" || reason === "session_ended") return;
    this.retry = window.setTimeout(() => this.open(), 3000);
  }

  stop() {
    this.stopped = true;
    this.src?.close();
    this.src = null;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.retry);
    this.m.live = false;
  }
}
