import { defineStore } from "pinia";
import { markRaw } from "vue";
import { api, ApiError, query } from "@/api/client";
import type { AgentView, BreakReason, Callback, Contact, CustomerHistory, DeskCall, DialResult, DispositionForm, Notice, PreviewOffer, VerifyView } from "@/api/types";

// The agent's desk: the softphone session and state (GET /me/state), the
// call offered or connected (offer and call events of GET /me/events), a
// preview offer, and what the stream brought to read (messages,
// announcements, reminders). The server owns every state: this store only
// shows what it says and asks it for changes.

// States with a call of the agent's: the call is kept while one of these
// holds even when the state's view does not name it yet.
const CALL_STATES = new Set(["reserved", "on_call", "hold", "acw"]);
const CALL_KEY = "desk.call"; // sessionStorage: the call survives a reload
const LAST_ID_KEY = "desk.last_event_id"; // sessionStorage: resume the stream after a reload

// RESULTS are the usual disposition results (any a-z0-9_ is accepted).
export const RESULTS = ["success", "promised", "callback", "refused", "wrong_person", "complaint", "no_answer_human", "other"];

// EventSourceLike is what the store needs of an EventSource (a fake in tests).
export interface EventSourceLike {
  readyState: number;
  onerror: ((e: Event) => void) | null;
  onopen: ((e: Event) => void) | null;
  addEventListener(name: string, fn: (e: MessageEvent) => void): void;
  close(): void;
}
export type SourceFactory = (url: string) => EventSourceLike;

// Stream events the desk listens to.
export const STREAM_EVENTS = ["hello", "reset", "end", "state", "offer", "preview", "call", "reminder", "message", "announcement", "verify_result"];

export function streamURL(lastEventId: string): string {
  return "/api/v1/me/events" + query({ last_event_id: lastEventId });
}

// rfc3339 writes a local time with its offset, as the server wants
// callback_at (2026-12-08T10:30:00+08:00).
export function rfc3339(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

// clock writes seconds as m:ss, or h:mm:ss from an hour on.
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function loadJSON<T>(key: string): T | null {
  try {
    const v = sessionStorage.getItem(key);
    return v ? (JSON.parse(v) as T) : null;
  } catch {
    return null;
  }
}

function save(key: string, v: unknown) {
  try {
    if (v === null || v === "") sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, typeof v === "string" ? v : JSON.stringify(v));
  } catch {
    /* private mode: not kept over a reload */
  }
}

let noticeSeq = 0;

export const useDesk = defineStore("desk", {
  state: () => ({
    agent: null as AgentView | null,
    reasons: [] as BreakReason[],
    call: null as DeskCall | null,
    preview: null as PreviewOffer | null,
    notices: [] as Notice[],
    history: null as CustomerHistory | null,
    callbacks: [] as Callback[],
    // tasks: the agent's assigned open contacts, to dial by hand.
    tasks: [] as Contact[],
    // verify is the IVR verification of the current call (GET /me/state's
    // verify, then the verify_result event).
    verify: null as VerifyView | null,
    lastEventId: "",
    live: false, // the stream is open
    // skew is server time minus local time (ms), from GET /me/state, so the
    // timer counts from the server's "since" whatever the PC's clock says.
    skew: 0,
    source: null as EventSourceLike | null,
    retry: 0 as ReturnType<typeof setTimeout> | 0,
    stopped: true,
  }),
  getters: {
    signedIn: (s) => !!s.agent && s.agent.state !== "signed_out",
    state: (s) => s.agent?.state ?? "signed_out",
    // canDispose: the call waits for its disposition (after-call work).
    // callbackAllowed: the call has a contact to book a callback or set
    // do-not-call for (a manual call dialed to a number only has none).
    callbackAllowed: (s) => !!s.call && (s.call.mode !== "manual" || !!s.call.contact?.id),
    canDispose: (s) => !!s.call && (s.agent?.disposition_call_uuid === s.call.uuid || s.agent?.state === "acw"),
    // ringing: a call is reserved for the agent and not yet connected; the
    // answer button is offered (the server says whether a phone rings).
    // The offer comes as the agent's phone is rung (a manual call's number
    // ringing is no offer yet).
    ringing: (s) => !!s.call?.offered && s.agent?.state === "reserved" && s.call.status !== "ended" && s.call.status !== "verifying" &&
      !(s.verify?.call_uuid === s.call.uuid && s.verify.status === "pending"),
    // verifying: the customer is in the IVR's verification.
    verifying: (s) => !!s.call && s.verify?.call_uuid === s.call.uuid && s.verify.status === "pending",
    onCall: (s) => !!s.call && ["on_call", "hold"].includes(s.agent?.state ?? "") && s.call.status !== "ended",
    unread: (s) => s.notices.filter((n) => !n.read).length,
  },
  actions: {
    // load asks the server where the agent stands; the call kept over a
    // reload is shown again when the server still names it.
    async load() {
      const v = await api<AgentView>("GET", "/me/state");
      this.applyView(v);
      if (!this.reasons.length) this.reasons = (await api<{ items: BreakReason[] }>("GET", "/break-reasons")).items;
    },
    applyView(v: AgentView) {
      this.agent = v;
      this.verify = v.verify || (this.verify && this.verify.call_uuid === (v.call_uuid || v.disposition_call_uuid) ? this.verify : null);
      if (v.since) this.skew = Date.parse(v.since) + (v.time_in_state_s || 0) * 1000 - Date.now();
      const uuid = v.call_uuid || v.disposition_call_uuid || "";
      if (!this.call) {
        const kept = loadJSON<DeskCall>(CALL_KEY);
        if (uuid && kept?.uuid === uuid) this.setCall(kept);
        else if (uuid) this.setCall({ uuid, campaign_id: 0, contact: null, mode: "", status: v.state === "acw" ? "ended" : "connected" });
      } else if (uuid && this.call.uuid !== uuid) {
        this.setCall({ uuid, campaign_id: 0, contact: null, mode: "", status: "connected" });
      } else if (!uuid && !CALL_STATES.has(v.state)) {
        this.setCall(null);
      }
    },
    setCall(c: DeskCall | null) {
      const changed = c?.uuid !== this.call?.uuid;
      const newContact = !!c?.contact?.id && c.contact.id !== this.call?.contact?.id;
      this.call = c;
      save(CALL_KEY, c);
      if (changed) {
        this.history = null;
        this.callbacks = [];
      }
      if (changed || newContact) {
        if (c?.contact?.id) this.loadCustomer();
      }
    },
    // loadCustomer reads the customer's history and open callbacks.
    async loadCustomer() {
      const id = this.call?.contact?.id;
      if (!id) return;
      const [h, cb] = await Promise.all([
        api<CustomerHistory>("GET", "/history" + query({ contact_id: id })),
        api<{ items: Callback[] }>("GET", "/callbacks" + query({ contact_id: id, status: ["scheduled", "offered"] })),
      ]);
      if (this.call?.contact?.id !== id) return; // another call meanwhile
      this.history = h;
      this.callbacks = cb.items;
    },

    // connect opens the event stream, resuming after the last event seen
    // (kept over a reload). EventSource itself reconnects with
    // Last-Event-ID after a network error; when it gives up (the server
    // refused, or ended the stream) a new one is opened after retryMs.
    connect(factory: SourceFactory = (u) => new EventSource(u), retryMs = 3000) {
      this.stopped = false;
      if (!this.lastEventId) this.lastEventId = sessionStorage.getItem(LAST_ID_KEY) || "";
      // markRaw: the store compares the source it holds with the one firing.
      const es = markRaw(factory(streamURL(this.lastEventId)));
      this.source = es;
      for (const name of STREAM_EVENTS) {
        es.addEventListener(name, (e: MessageEvent) => {
          if (this.source !== es) return;
          if (e.lastEventId) {
            this.lastEventId = e.lastEventId;
            save(LAST_ID_KEY, e.lastEventId);
          }
          let data: any = {};
          try {
            data = e.data ? JSON.parse(e.data) : {};
          } catch {
            return;
          }
          this.live = true;
          this.handle(name, data, () => this.reconnect(factory, retryMs));
        });
      }
      // Open: live, even when a resumed stream has nothing new to send.
      es.onopen = () => {
        if (this.source === es) this.live = true;
      };
      es.onerror = () => {
        if (this.source !== es) return;
        this.live = false;
        if (es.readyState === 2) this.reconnect(factory, retryMs); // CLOSED: EventSource gave up
      };
    },
    reconnect(factory: SourceFactory, retryMs: number) {
      this.source?.close();
      this.source = null;
      this.live = false;
      if (this.stopped || this.retry) return;
      this.retry = setTimeout(() => {
        this.retry = 0;
        if (!this.stopped) this.connect(factory, retryMs);
      }, retryMs);
    },
    disconnect() {
      this.stopped = true;
      if (this.retry) clearTimeout(this.retry);
      this.retry = 0;
      this.source?.close();
      this.source = null;
      this.live = false;
    },

    // handle applies one stream event.
    handle(name: string, d: any, restart: () => void = () => undefined) {
      switch (name) {
        case "hello":
        case "reset":
          if (d.last_event_id) {
            this.lastEventId = d.last_event_id;
            save(LAST_ID_KEY, d.last_event_id);
          }
          this.load().catch(() => undefined);
          break;
        case "end":
          // logout or session ended: nothing to resume; shutdown or a
          // locked screen: try again later.
          if (d.reason === "logout" || d.reason === "session_ended") this.disconnect();
          else restart();
          break;
        case "state":
          if (this.agent && d.agent_id === this.agent.agent_id) {
            this.agent = { ...this.agent, state: d.state, reason: d.reason || "", call_uuid: d.call_uuid || "", since: d.since, time_in_state_s: 0 };
          }
          // The full view (the call waiting for its disposition, what ACW ends in).
          this.load().catch(() => undefined);
          break;
        case "offer": {
          this.preview = null;
          // A manual call stays one when it is offered (the desk dialed it).
          const kept = this.call?.uuid === d.call_uuid ? this.call : null;
          const dialed = kept?.mode === "manual" ? kept.dialed : undefined;
          this.setCall({ uuid: d.call_uuid, campaign_id: d.campaign_id, contact: d.contact || kept?.contact || null, mode: dialed !== undefined ? "manual" : d.mode,
            attempt_id: d.attempt_id, script_id: d.script_id || 0, status: "ringing", offered: true, dialed });
          break;
        }
        case "preview":
          this.preview = d as PreviewOffer;
          break;
        case "call":
          if (this.call && this.call.uuid === d.call_uuid) {
            this.call = { ...this.call, status: d.status, since: d.since, cause: d.cause || "", contact: d.contact || this.call.contact };
            save(CALL_KEY, this.call);
          } else if (d.status !== "ended") {
            this.setCall({ uuid: d.call_uuid, campaign_id: d.campaign_id, contact: d.contact || null, mode: "", status: d.status, since: d.since });
          }
          break;
        case "verify_result":
          this.verify = { call_uuid: d.call_uuid, flow: d.flow || "", status: d.result || (d.ok ? "verified" : "failed"), ok: !!d.ok, attempts: d.attempts || 0 };
          break;
        case "reminder":
          this.notify("reminder", d.kind, d.text || "", d);
          break;
        case "message":
          this.notify("message", d.from_name || d.from_username || "", d.text || d.body || "", d);
          break;
        case "announcement":
          this.notify("announcement", d.title || "", d.text || d.body || "", d);
          break;
      }
    },
    notify(kind: Notice["kind"], title: string, text: string, data: any) {
      this.notices.unshift({ key: ++noticeSeq, kind, title, text, at: new Date().toISOString(), read: false, data });
      if (this.notices.length > 50) this.notices.length = 50;
    },
    async markRead(n: Notice) {
      n.read = true;
      if (n.kind === "message" && n.data?.id) await api("POST", `/messages/${n.data.id}/read`).catch(() => undefined);
      if (n.kind === "announcement" && n.data?.id) await api("POST", `/broadcasts/${n.data.id}/read`).catch(() => undefined);
    },

    async signIn(mode: "registered" | "nailed_up") {
      this.applyView(await api<AgentView>("POST", "/me/softphone/login", { mode }));
    },
    async signOut() {
      await api("POST", "/me/softphone/logout");
      await this.load();
    },
    async setState(state: "ready" | "break", reason = "") {
      this.applyView(await api<AgentView>("POST", "/me/state", state === "break" ? { state, reason } : { state }));
    },
    // control runs a call control; to names a transfer or consult target
    // (agent:ID, group:ID, number:PHONE).
    async control(action: string, to?: string) {
      if (!this.call) return;
      await api("POST", `/me/calls/${encodeURIComponent(this.call.uuid)}/${action}`, to ? { to } : {});
    },
    // dial calls a number by hand; the caller ID is the server's choice
    // from the pool. With a contact (one of the agent's tasks) the call is
    // the contact's: its campaign, its phone (empty: its first dialable
    // one), its history, and a disposition that may book a callback or set
    // do-not-call. The call arrives on the stream like any other.
    async dial(phone: string, campaignId?: number | "", contactId?: number, contact?: Contact | null) {
      const body: Record<string, unknown> = {};
      if (phone.trim() || !contactId) body.phone = phone.trim();
      if (campaignId && !contactId) body.campaign_id = campaignId;
      if (contactId) body.contact_id = contactId;
      const r = await api<DialResult>("POST", "/me/calls/new/dial", body);
      // The stream may have named the call already: kept, marked manual.
      const picked = contactId && contact?.id === contactId ? contact : null;
      const base = this.call?.uuid === r.call_uuid ? this.call
        : { uuid: r.call_uuid, campaign_id: picked?.campaign_id || Number(campaignId) || 0, contact: picked, status: "ringing" };
      this.setCall({ ...base, mode: "manual", attempt_id: r.attempt_id, dialed: phone.trim() || picked?.phone || "" });
      return r;
    },
    // loadTasks reads the agent's assigned open contacts (the manual dial's list).
    async loadTasks() {
      const r = await api<{ items: Contact[] }>("GET", "/me/tasks" + query({ page_size: 500 }));
      this.tasks = r.items;
    },
    // answer answers the agent's ringing phone (phones without auto-answer).
    // The offer is sent just before the phone is rung: a click in between
    // gets 409 (no phone ringing yet), tried again for a few seconds while
    // the call is still offered.
    async answer(retryMs = 300, patienceMs = 3000) {
      const uuid = this.call?.uuid;
      if (!uuid) return;
      const until = Date.now() + patienceMs;
      for (;;) {
        try {
          await api("POST", `/me/calls/${encodeURIComponent(uuid)}/answer`);
          return;
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 409 || Date.now() >= until || this.call?.uuid !== uuid || this.agent?.state !== "reserved") throw e;
        }
        await new Promise((r) => setTimeout(r, retryMs));
      }
    },
    // startVerify sends the customer to the IVR's identity check; the
    // result comes back on the stream.
    async startVerify() {
      if (!this.call) return;
      const uuid = this.call.uuid;
      await api("POST", `/me/calls/${encodeURIComponent(uuid)}/verify`, {});
      this.verify = { call_uuid: uuid, flow: "", status: "pending", ok: false, attempts: 0 };
    },
    async answerPreview(dial: boolean, skip = "") {
      await api("POST", "/me/preview", dial ? { dial: true } : { skip });
      this.preview = null;
    },
    // dispose closes the call; the desk forgets it once the server took it.
    async dispose(f: DispositionForm) {
      if (!this.call) return;
      const body: Record<string, unknown> = { result: f.result, note: f.note, dnc: f.dnc && this.callbackAllowed };
      if (f.callbackAt && this.callbackAllowed) body.callback_at = rfc3339(f.callbackAt);
      await api("POST", `/me/calls/${encodeURIComponent(this.call.uuid)}/disposition`, body);
      this.setCall(null);
      await this.load();
    },
  },
});
