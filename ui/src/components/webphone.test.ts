import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { mockFetch } from "@/test/fetch";
import zh from "@/i18n/webphone.zh-CN";
import en from "@/i18n/webphone.en";
import WebPhone from "./WebPhone.vue";
import WebPhoneToggle from "./WebPhoneToggle.vue";

// A stand-in for JsSIP: the UA records its configuration and calls, tests
// fire its events; a session records answer/terminate/mute.
const fake = vi.hoisted(() => {
  class Emitter {
    handlers: Record<string, ((e?: any) => void)[]> = {};
    on(ev: string, f: (e?: any) => void) {
      (this.handlers[ev] ||= []).push(f);
      return this;
    }
    emit(ev: string, e?: any) {
      for (const f of this.handlers[ev] || []) f(e);
    }
  }
  class Session extends Emitter {
    remote_identity = { display_name: "", uri: { user: "13800138000" } };
    connection: any = null;
    answer = vi.fn();
    terminate = vi.fn(() => this.emit("ended", { originator: "local" }));
    mute = vi.fn();
    unmute = vi.fn();
  }
  class UA extends Emitter {
    static all: UA[] = [];
    start = vi.fn();
    stop = vi.fn();
    constructor(public config: any) {
      super();
      UA.all.push(this);
    }
  }
  class WebSocketInterface {
    constructor(public url: string) {}
  }
  return { UA, Session, WebSocketInterface };
});
vi.mock("jssip", () => {
  const mod = { UA: fake.UA, WebSocketInterface: fake.WebSocketInterface };
  return { ...mod, default: mod };
});

const config = {
  ws_url: "wss://fs.bank.example:7443", sip_uri: "sip:1021@fs.bank.example", extension: "1021", domain: "fs.bank.example",
  password: "s1p-Secret", display_name: "李娜", ice_servers: [{ urls: ["stun:stun.bank.example:3478"] }],
};

beforeEach(() => {
  setLang("zh-CN");
  localStorage.clear();
  fake.UA.all.length = 0;
});
afterEach(() => vi.unstubAllGlobals());
const plugins = () => ({ global: { plugins: [i18n, ElementPlus] }, attachTo: document.body });

// mounted mounts the phone with the API answering config and waits for its UA.
async function mounted(props: object = {}) {
  const calls = mockFetch({ "GET /me/webphone": [200, config] });
  const w = mount(WebPhone, { ...plugins(), props });
  await vi.waitFor(() => expect(fake.UA.all.length).toBe(1));
  await flushPromises();
  return { w, ua: fake.UA.all[0], calls };
}

const stateOf = (w: ReturnType<typeof mount>) => w.find("#webphone-state").attributes("data-state");

describe("WebPhone", () => {
  it("registers the extension the API gives over its WebSocket and shows the registration state", async () => {
    const { w, ua, calls } = await mounted();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["GET /api/v1/me/webphone"]);
    expect(ua.config).toMatchObject({ uri: "sip:1021@fs.bank.example", authorization_user: "1021", password: "s1p-Secret", register: true, register_expires: 60 });
    expect(ua.config.sockets.map((s: any) => s.url)).toEqual(["wss://fs.bank.example:7443"]);
    expect(ua.start).toHaveBeenCalledOnce();
    expect(stateOf(w)).toBe("connecting");
    ua.emit("registered");
    await flushPromises();
    expect(stateOf(w)).toBe("registered");
    expect(w.find("#webphone-state").text()).toBe("已注册");
    expect(w.find("#webphone-extension").text()).toBe("1021");
    expect(w.text()).not.toContain("s1p-Secret");
    ua.emit("registrationFailed", { cause: "Authentication Error" });
    await flushPromises();
    expect(stateOf(w)).toBe("failed");
    expect(w.find("#webphone-error").text()).toBe("Authentication Error");
    w.unmount();
  });

  it("rings, answers with the microphone and the ICE servers, plays the far end, mutes and hangs up", async () => {
    const { w, ua } = await mounted();
    const s = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: s });
    await flushPromises();
    expect(w.find("#webphone-call").attributes("data-state")).toBe("ringing");
    expect(w.find("#webphone-call").text()).toContain("13800138000");
    expect(s.answer).not.toHaveBeenCalled();

    await w.find("#webphone-answer").trigger("click");
    expect(s.answer).toHaveBeenCalledWith({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: config.ice_servers } });
    const listeners: Record<string, (e: any) => void> = {};
    s.emit("peerconnection", { peerconnection: { addEventListener: (ev: string, f: (e: any) => void) => (listeners[ev] = f) } });
    const stream = new MediaStream();
    listeners.track({ streams: [stream], track: {} });
    s.emit("confirmed");
    await flushPromises();
    expect((w.find("#webphone-audio").element as HTMLAudioElement).srcObject).toBe(stream);
    expect(w.find("#webphone-call").attributes("data-state")).toBe("connected");

    await w.find("#webphone-mute").trigger("click");
    expect(s.mute).toHaveBeenCalledWith({ audio: true });
    expect(w.find("#webphone-mute").text()).toBe("取消静音");
    await w.find("#webphone-mute").trigger("click");
    expect(s.unmute).toHaveBeenCalledWith({ audio: true });

    await w.find("#webphone-hangup").trigger("click");
    expect(s.terminate).toHaveBeenCalledOnce();
    await flushPromises();
    expect(w.find("#webphone-call").exists()).toBe(false);
    expect((w.find("#webphone-audio").element as HTMLAudioElement).srcObject).toBeNull();
    w.unmount();
  });

  it("answers by itself in auto-answer (nailed-up) mode and refuses a second call as busy", async () => {
    const { w, ua } = await mounted({ autoAnswer: true });
    expect((w.find("#webphone-auto").element as HTMLInputElement).checked).toBe(true);
    const first = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: first });
    expect(first.answer).toHaveBeenCalledOnce();
    const second = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: second });
    expect(second.answer).not.toHaveBeenCalled();
    expect(second.terminate).toHaveBeenCalledWith({ status_code: 486, reason_phrase: "Busy Here" });
    w.unmount();
  });

  it("says so when the microphone is refused, and rings again for the next call", async () => {
    const { w, ua } = await mounted();
    const s = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: s });
    await flushPromises();
    await w.find("#webphone-answer").trigger("click");
    s.emit("failed", { originator: "local", cause: "User Denied Media Access" });
    await vi.waitFor(() => expect(document.body.textContent).toContain("无法使用麦克风：User Denied Media Access"));
    expect(w.find("#webphone-call").exists()).toBe(false);
    const next = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: next });
    await flushPromises();
    expect(w.find("#webphone-call").attributes("data-state")).toBe("ringing");
    expect(next.terminate).not.toHaveBeenCalled();
    w.unmount();
  });

  it("does not answer by itself without auto-answer", async () => {
    const { w, ua } = await mounted({ autoAnswer: false });
    const s = new fake.Session();
    ua.emit("newRTCSession", { originator: "remote", session: s });
    expect(s.answer).not.toHaveBeenCalled();
    w.unmount();
  });

  it("unregisters when unmounted and when the page goes away", async () => {
    const { w, ua } = await mounted();
    w.unmount();
    expect(ua.stop).toHaveBeenCalledOnce();

    const next = mount(WebPhone, plugins());
    await vi.waitFor(() => expect(fake.UA.all.length).toBe(2));
    window.dispatchEvent(new Event("pagehide"));
    expect(fake.UA.all[1].stop).toHaveBeenCalledOnce();
    next.unmount();
    expect(fake.UA.all[1].stop).toHaveBeenCalledOnce(); // once
  });

  it("shows the server's reason and starts no phone when it refuses (no extension)", async () => {
    mockFetch({ "GET /me/webphone": [409, { error: { code: "conflict", message: "your account has no extension" } }] });
    const w = mount(WebPhone, plugins());
    await vi.waitFor(() => expect(w.find("#webphone-error").exists()).toBe(true));
    expect(w.find("#webphone-error").text()).toBe("your account has no extension");
    expect(stateOf(w)).toBe("failed");
    expect(fake.UA.all).toEqual([]);
    w.unmount();
  });
});

describe("WebPhoneToggle", () => {
  it("mounts the phone when turned on, remembers it, and unregisters when turned off", async () => {
    mockFetch({ "GET /me/webphone": [200, config] });
    setLang("en");
    const w = mount(WebPhoneToggle, { ...plugins(), props: { nailed: true } });
    expect(w.text()).toContain("Use the browser as my phone");
    expect(w.find("#webphone").exists()).toBe(false);
    await w.find(".el-switch").trigger("click");
    await vi.waitFor(() => expect(fake.UA.all.length).toBe(1));
    expect(localStorage.getItem("cc.webphone")).toBe("on");
    expect((w.find("#webphone-auto").element as HTMLInputElement).checked).toBe(true);
    await w.find(".el-switch").trigger("click");
    await flushPromises();
    expect(w.find("#webphone").exists()).toBe(false);
    expect(fake.UA.all[0].stop).toHaveBeenCalledOnce();
    expect(localStorage.getItem("cc.webphone")).toBe("off");
    w.unmount();
  });
});

describe("webphone labels", () => {
  const keys = (o: object, p = ""): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, p + k + ".") : [p + k]));
  const at = (o: any, k: string) => k.split(".").reduce((x, p) => x[p], o);
  it("both languages have the same labels, each translated", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    expect(keys(zh).filter((k) => at(zh, k) === at(en, k) || !at(zh, k))).toEqual([]);
  });
});
