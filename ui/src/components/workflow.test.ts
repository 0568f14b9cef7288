import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { useAuth } from "@/stores/auth";
import { useDesk } from "@/stores/desk";
import { days, weekday, rectangle, cellsBody, gridAgents } from "@/stores/roster";
import { mockFetch } from "@/test/fetch";
import RosterGrid from "./RosterGrid.vue";
import Callbacks from "@/pages/Callbacks.vue";
import Desk from "@/pages/Desk.vue";
import CampaignFormDialog from "./CampaignFormDialog.vue";

// The roster grid, booking a callback from the Callbacks page, and the
// desk's manual dial, answer button and identity verification.
let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
  sessionStorage.clear();
  document.body.innerHTML = "";
});
afterEach(() => vi.unstubAllGlobals());
// settle lets requests answer and the page render: at least five turns of
// the event loop, then on until the page stops changing (a loaded machine
// needs more turns than a quiet one).
async function settle() {
  let last = "";
  let same = 0;
  for (let i = 0; i < 200 && (i < 5 || same < 3); i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
    const now = document.body.innerHTML;
    same = now === last ? same + 1 : 0;
    last = now;
  }
}
// until settles until cond holds (a loaded machine renders late); it fails
// after the safety net.
async function until(cond: () => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await settle();
  }
}
const plugins = () => ({ global: { plugins: [pinia, i18n, ElementPlus] }, attachTo: document.body });

describe("roster helpers", () => {
  it("lists the days of a range, across a month, with ISO weekdays", () => {
    expect(days("2026-11-29", "2026-12-02")).toEqual(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(days("2026-12-02", "2026-12-01")).toEqual([]);
    expect(days("2026-01-01", "2026-12-31")).toHaveLength(62); // at most MAX_DAYS shown
    expect([weekday("2026-12-07"), weekday("2026-12-13")]).toEqual([1, 7]); // a Monday, a Sunday
  });

  it("chooses the rectangle between two cells whichever corner comes first", () => {
    const agents = [{ id: 5, name: "a" }, { id: 3, name: "b" }, { id: 9, name: "c" }];
    const dates = ["2026-12-07", "2026-12-08", "2026-12-09"];
    const r = rectangle(agents, dates, { agent: 9, date: "2026-12-08" }, { agent: 3, date: "2026-12-07" });
    expect(r.map((c) => `${c.agent}|${c.date}`)).toEqual(["3|2026-12-07", "3|2026-12-08", "9|2026-12-07", "9|2026-12-08"]);
    expect(rectangle(agents, dates, { agent: 1, date: "2026-12-07" }, { agent: 3, date: "2026-12-07" })).toEqual([]);
  });

  it("writes the cells' plan as POST /roster takes it", () => {
    const cells = [{ agent: 3, date: "2026-12-07" }];
    expect(cellsBody(cells, { kind: "shift", shift_id: 2 }, "早班")).toEqual({ entries: [{ agent_id: 3, date: "2026-12-07", shift_id: 2, day_off: false, note: "早班" }] });
    expect(cellsBody(cells, { kind: "day_off" }).entries[0]).toMatchObject({ shift_id: null, day_off: true });
    expect(cellsBody(cells, { kind: "clear" }).entries[0]).toMatchObject({ shift_id: null, day_off: false });
  });

  it("rows are the people given and everyone the roster names, by name", () => {
    const rows = gridAgents([{ id: 2, username: "wang", display_name: "王五" }], [
      { agent_id: 7, date: "2026-12-07", shift_id: 1, day_off: false, username: "li", display_name: "李四" },
      { agent_id: 2, date: "2026-12-07", shift_id: 1, day_off: false, username: "wang", display_name: "王五" },
    ]);
    expect(rows.map((r) => r.id)).toEqual([7, 2]); // 李 before 王
  });
});

describe("RosterGrid", () => {
  const people = [
    { id: 3, username: "a3", display_name: "甲", role: "agent" },
    { id: 4, username: "a4", display_name: "乙", role: "agent" },
    { id: 1, username: "admin", display_name: "", role: "admin" },
  ];
  const shifts = [{ id: 2, name: "早班", start: "08:00", end: "16:00" }];
  const today = new Date().toLocaleDateString("sv-SE");
  const tomorrow = new Date(Date.now() + 86400e3).toLocaleDateString("sv-SE");

  it("shows each agent's plan per day, sets a rectangle of cells and shows the server's refusal", async () => {
    let posted: any = null;
    const calls = mockFetch({
      "GET /roster": [200, { items: [{ agent_id: 3, date: today, shift_id: 2, day_off: false, shift_name: "早班", start: "08:00", end: "16:00", username: "a3", display_name: "甲" },
        { agent_id: 4, date: tomorrow, shift_id: null, day_off: true, username: "a4", display_name: "乙" }], total: 2 }],
      "POST /roster": (c) => {
        posted = c.body;
        return c.body.entries.length > 3 ? [422, { error: { message: "invalid roster", details: [{ row: 1, field: "shift_id", message: "no such shift" }] } }] : [200, { changed: c.body.entries.length }];
      },
    });
    const w = mount(RosterGrid, { props: { shifts, people, groups: [] }, ...plugins() });
    await settle();
    expect(calls[0].url).toContain("from=" + today);
    // Agents only (not the admin), with their plans.
    expect(w.findAll("tbody tr[data-agent]").map((r) => r.attributes("data-agent"))).toEqual(["3", "4"]);
    expect(w.get(`[data-cell="3|${today}"]`).text()).toBe("早班");
    expect(w.get(`[data-cell="4|${tomorrow}"]`).text()).toBe("休息");
    // A cell, then shift-click: the rectangle of 2 agents × 2 days.
    await w.get(`[data-cell="3|${today}"]`).trigger("click");
    await w.get(`[data-cell="4|${tomorrow}"]`).trigger("click", { shiftKey: true });
    expect(w.findAll("td.chosen")).toHaveLength(4);
    expect(w.get(".grid-plan .count").text()).toContain("4");
    // Ctrl-click takes one away.
    await w.get(`[data-cell="4|${tomorrow}"]`).trigger("click", { ctrlKey: true });
    expect(w.findAll("td.chosen")).toHaveLength(3);
    // Day off for the three.
    const dayOff = w.findAll(".plan-kind label").find((l) => l.text() === "休息")!;
    await dayOff.trigger("click");
    await w.get(".plan-apply").trigger("click");
    await settle();
    expect(posted.entries).toHaveLength(3);
    expect(posted.entries.every((e: any) => e.day_off && e.shift_id === null)).toBe(true);
    expect(w.findAll("td.chosen")).toHaveLength(0);
    // A whole day (a column), then a whole agent (a row): 14 days, which
    // this server refuses, naming the row.
    await w.get(`th.day[data-date="${tomorrow}"]`).trigger("click");
    expect(w.findAll("td.chosen").map((c) => c.attributes("data-cell"))).toEqual([`3|${tomorrow}`, `4|${tomorrow}`]);
    await w.get('tr[data-agent="3"] th').trigger("click");
    expect(w.findAll("td.chosen")).toHaveLength(14);
    await w.get(".plan-apply").trigger("click");
    await until(() => w.find(".grid-error").exists(), "the refusal");
    expect(w.get(".grid-error").text()).toBe("invalid roster: #1 shift_id no such shift");
    expect(w.findAll("td.chosen")).toHaveLength(14); // kept, to correct
    w.unmount();
  });
});

describe("Callbacks: booking", () => {
  it("books a callback for a customer found by name, and shows the server's refusals on their fields", async () => {
    useAuth().me = { id: 1, username: "sup", role: "supervisor", permissions: ["agent_desk", "assign", "campaign_view"] } as any;
    let posts = 0;
    const calls = mockFetch({
      "GET /callbacks": [200, { items: [], total: 0 }],
      "GET /campaigns": [200, { items: [{ id: 2, name: "催收" }], total: 1 }],
      "GET /directory": [200, { items: [{ id: 1, username: "sup", display_name: "主管", role: "supervisor" }, { id: 8, username: "a8", display_name: "坐席八", role: "agent" }], total: 2 }],
      "GET /history": [200, { contacts: [{ id: 41, campaign_id: 2, name: "钱多多", phone: "139****0001" }], attempts: [], callbacks: [], notes: [] }],
      "POST /callbacks": () => (++posts === 1
        ? [400, { error: { code: "invalid_argument", message: "invalid callback", details: [{ field: "due_at", message: "is in the past" }, { field: "phone", message: "is not a valid phone number" }] } }]
        : [201, { id: 5 }]),
    });
    const w = mount(Callbacks, plugins());
    await settle();
    await w.get(".new-callback").trigger("click");
    await settle();
    // The customer: typed, looked up, chosen.
    const input = document.querySelector<HTMLInputElement>("#callback-contact input, input#callback-contact")!;
    input.value = "钱多多";
    input.dispatchEvent(new Event("input"));
    // The select's remote search waits for typing to pause.
    const found = () => [...document.querySelectorAll<HTMLElement>(".el-select-dropdown__item")].find((o) => o.textContent!.includes("钱多多"));
    await until(() => !!found(), "the customer found");
    expect(calls.some((c) => c.url === "/api/v1/history?q=%E9%92%B1%E5%A4%9A%E5%A4%9A")).toBe(true);
    const option = found()!;
    expect(option.textContent).toContain("139****0001 · 催收");
    option.click();
    await settle();
    const phone = document.querySelector<HTMLInputElement>("input[name=callback-phone]")!;
    phone.value = "12";
    phone.dispatchEvent(new Event("input"));
    const note = document.querySelector<HTMLTextAreaElement>("textarea[name=callback-note]")!;
    note.value = "下午再打";
    note.dispatchEvent(new Event("input"));
    await settle();
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await until(() => document.querySelectorAll("#callback-form .el-form-item__error").length === 2, "the refusals on their fields");
    const first = calls.filter((c) => c.method === "POST")[0];
    expect(first.body).toEqual({ contact_id: 41, phone: "12", note: "下午再打", agent_id: 1 });
    const errors = () => [...document.querySelectorAll("#callback-form .el-form-item__error")].map((e) => e.textContent!.trim());
    await until(() => errors().length === 2, "the field errors");
    expect(errors()).toEqual(["is in the past", "is not a valid phone number"]);
    expect(document.querySelector(".el-dialog .form-error")).toBeNull(); // nothing else to say
    // Corrected: booked, the dialog closes and the list reloads.
    phone.value = "";
    phone.dispatchEvent(new Event("input"));
    await settle();
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await until(() => calls.filter((c) => c.url.startsWith("/api/v1/callbacks?")).length === 2, "the second booking and the reload");
    expect(calls.filter((c) => c.method === "POST")[1].body).toEqual({ contact_id: 41, note: "下午再打", agent_id: 1 });
    await until(() => calls.filter((c) => c.url.startsWith("/api/v1/callbacks?")).length === 2, "the list reloaded");
    expect(calls.filter((c) => c.url.startsWith("/api/v1/callbacks?")).length).toBe(2);
    w.unmount();
  });
});

describe("Desk: manual dial, answer, verification", () => {
  class NoStream {
    readyState = 1;
    onerror = null;
    onopen = null;
    addEventListener() {}
    close() {}
  }
  const view = (o: object = {}) => ({ agent_id: 7, name: "李娜", extension: "1021", node: "sim", mode: "registered", session_id: 3, state: "break", reason: "other",
    since: new Date().toISOString(), time_in_state_s: 0, group_ids: [], ...o });

  it("dials a number, offers the answer button while reserved, then verification with its result", async () => {
    vi.stubGlobal("EventSource", NoStream);
    useAuth().me = { id: 7, username: "a7", role: "agent", permissions: ["agent_desk"] } as any;
    let state = view();
    const calls = mockFetch({
      "GET /me/state": () => [200, state],
      "GET /break-reasons": [200, { items: [{ code: "other", label_zh: "其他", label_en: "Other", sort_order: 1 }] }],
      "POST /me/calls/new/dial": [200, { call_uuid: "m-1", caller_id: "02161230000", attempt_id: 8 }],
      "POST /me/calls/m-1/answer": [200, {}],
      "POST /me/calls/m-1/verify": [200, {}],
    });
    const w = mount(Desk, plugins());
    await settle();
    // No campaign list for an agent: only the number.
    expect(w.find("#dial-campaign").exists()).toBe(false);
    await w.get("input[name=dial-phone]").setValue("13900770021");
    await w.get("#manual-dial form").trigger("submit");
    await settle();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ phone: "13900770021" });
    expect(w.find("#manual-dial").exists()).toBe(false);
    const desk = useDesk();
    state = view({ state: "reserved", call_uuid: "m-1" });
    desk.applyView(state as any);
    await settle();
    expect(w.find("#answer").exists()).toBe(false); // the customer's number rings
    desk.handle("offer", { call_uuid: "m-1", campaign_id: 0, contact: null, mode: "progressive" });
    await settle();
    await w.get("#answer").trigger("click");
    await settle();
    expect(calls.some((c) => c.url === "/api/v1/me/calls/m-1/answer")).toBe(true);
    // Connected, with a contact: the verification is offered.
    state = view({ state: "on_call", call_uuid: "m-1" });
    desk.applyView(state as any);
    desk.handle("call", { call_uuid: "m-1", status: "connected", contact: { id: 41, name: "钱多多", phone: "139****0001" } });
    await settle();
    expect(w.find("#answer").exists()).toBe(false);
    await w.get("#verify").trigger("click");
    await settle();
    expect(w.get("#verify-result").attributes("data-status")).toBe("pending");
    expect(w.get("#verify").attributes("disabled")).toBeDefined();
    desk.handle("verify_result", { call_uuid: "m-1", ok: true, attempts: 2, result: "verified" });
    await settle();
    expect(w.get("#verify-result").text()).toBe("已验证 · 输入 2 次");
    w.unmount();
  });
});

describe("Desk: manual dial to an assigned contact", () => {
  class NoStream {
    readyState = 1;
    onerror = null;
    onopen = null;
    addEventListener() {}
    close() {}
  }
  it("picks a contact from the agent's tasks, dials it without a number, and offers a callback on its disposition", async () => {
    vi.stubGlobal("EventSource", NoStream);
    useAuth().me = { id: 7, username: "a7", role: "agent", permissions: ["agent_desk"] } as any;
    const view = { agent_id: 7, name: "李娜", extension: "1021", node: "sim", mode: "registered", session_id: 3, state: "ready", reason: "",
      since: new Date().toISOString(), time_in_state_s: 0, group_ids: [] };
    const calls = mockFetch({
      "GET /me/state": [200, view],
      "GET /break-reasons": [200, { items: [] }],
      "GET /me/tasks": [200, { items: [{ id: 41, campaign_id: 4, name: "钱多多", phone: "139****0001" }], total: 1 }],
      "POST /me/calls/new/dial": [200, { call_uuid: "m-2", caller_id: "02161230000", attempt_id: 9 }],
      "GET /history": [200, { contacts: [], attempts: [], callbacks: [], messages: [], notes: [], ivr: [], scripts: [] }],
      "GET /callbacks": [200, { items: [], total: 0 }],
    });
    const w = mount(Desk, plugins());
    await settle();
    const pick = w.findAllComponents({ name: "ElSelect" }).find((c) => c.attributes("id") === "dial-contact" || c.find("#dial-contact").exists());
    expect(pick).toBeDefined();
    expect(w.get("#dial").attributes("disabled")).toBeDefined(); // neither a number nor a contact yet
    pick!.vm.$emit("update:modelValue", 41);
    await settle();
    await w.get("#manual-dial form").trigger("submit");
    await settle();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ contact_id: 41 });
    const desk = useDesk();
    expect(desk.call).toMatchObject({ uuid: "m-2", mode: "manual", contact: { id: 41 } });
    expect(w.find("#dispo-callback").exists()).toBe(true);
    // A number dialed without a contact: the form says why there is no callback.
    desk.setCall({ uuid: "m-3", campaign_id: 0, contact: null, mode: "manual", status: "ended", dialed: "13900770021" });
    await settle();
    expect(w.find("#dispo-callback").exists()).toBe(false);
    expect(w.find("#dispo-no-contact").exists()).toBe(true);
    w.unmount();
  });
});

describe("CampaignFormDialog: e-mail attachments", () => {
  it("uploads an attachment, sends the attachments in order and shows their refusal under them", async () => {
    let patches = 0;
    const calls = mockFetch({
      "GET /strategies": [200, { items: [], total: 0 }],
      "GET /groups": [200, { items: [], total: 0 }],
      "GET /campaigns": [200, { items: [], total: 0 }],
      "GET /documents": [200, { items: [{ id: 4, name: "条款.pdf", kind: "attachment", source_bytes: 20480, bytes: 20480, pages: 0, created_at: "" }], total: 1 }],
      "POST /documents": [201, { id: 6, name: "账单.xlsx", kind: "attachment", source_bytes: 4096, bytes: 4096, pages: 0, created_at: "" }],
      "PATCH /campaigns/9": () => (++patches === 1
        ? [422, { error: { code: "invalid_argument", message: "invalid campaign", details: [{ field: "message.attachments[1]", message: "document 6 is 12000000 bytes, more than 10 MB" }] } }]
        : [200, { id: 9, name: "账单邮件" }]),
    });
    const camp = { id: 9, name: "账单邮件", kind: "notification", media: "email", dial_mode: "broadcast", priority: 5, caller_ids: null,
      message: { subject: "您的账单", text: "{{name}}您好", attachments: [4] } };
    const w = mount(CampaignFormDialog, { props: { modelValue: true, campaign: camp as any }, ...plugins() });
    await settle();
    expect(document.querySelector<HTMLInputElement>("input[name=subject]")!.value).toBe("您的账单");
    expect(document.querySelector("#attachments")!.closest(".el-select")!.textContent).toContain("条款.pdf (20 KB)");
    // Upload: the new document is attached after the first.
    const file = document.querySelector<HTMLInputElement>("input.attach-file")!;
    Object.defineProperty(file, "files", { value: [new File(["x"], "账单.xlsx")], configurable: true });
    file.dispatchEvent(new Event("change"));
    await settle();
    const up = calls.find((c) => c.method === "POST" && c.url === "/api/v1/documents")!;
    expect((up.body as FormData).get("kind")).toBe("attachment");
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await settle();
    const patch = calls.filter((c) => c.method === "PATCH")[0];
    expect(patch.body.message).toEqual({ subject: "您的账单", text: "{{name}}您好", attachments: [4, 6] });
    await until(() => !!document.querySelector(".attachments .el-form-item__error"), "the attachments' error");
    const err = document.querySelector(".attachments .el-form-item__error")!;
    expect(err.textContent!.trim()).toBe("[1] document 6 is 12000000 bytes, more than 10 MB");
    expect(w.emitted("saved")).toBeUndefined();
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await until(() => !document.querySelector(".attachments .el-form-item__error"), "the error gone");
    expect(w.emitted("saved")?.[0]).toEqual([{ id: 9, name: "账单邮件" }]);
    w.unmount();
  });

  it("shows no message fields for a voice campaign", async () => {
    mockFetch({ "GET /strategies": [200, { items: [], total: 0 }], "GET /groups": [200, { items: [], total: 0 }] });
    const w = mount(CampaignFormDialog, { props: { modelValue: true }, ...plugins() });
    await settle();
    expect(document.querySelector("#attachments")).toBeNull();
    w.unmount();
  });
});
