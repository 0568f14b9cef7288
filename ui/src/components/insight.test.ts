import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import ElementPlus, { ElMessageBox } from "element-plus";
import { i18n, setLang } from "@/i18n";
import { useAuth } from "@/stores/auth";
import { mockFetch, type Call } from "@/test/fetch";
import ReportView from "./ReportView.vue";

// The chart is a stub: happy-dom has no canvas; the page's option is
// checked in stores/reports.test.ts.
vi.mock("vue-echarts", () => ({ default: { name: "VChart", props: ["option"], template: '<div class="chart-stub" />' } }));
import QaScoreForm from "./QaScoreForm.vue";
import ReportScheduleDialog from "./ReportScheduleDialog.vue";
import CampaignResults from "./CampaignResults.vue";
import Qa from "@/pages/Qa.vue";
import Reports from "@/pages/Reports.vue";
import Voicemail from "@/pages/Voicemail.vue";
import Workstations from "@/pages/Workstations.vue";

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
  }
}
const plugins = () => ({ global: { plugins: [pinia, i18n, ElementPlus] } });
const lookups = {
  "GET /campaigns": [200, { items: [{ id: 3, name: "秋季回访" }], total: 1 }],
  "GET /directory": [200, { items: [{ id: 7, username: "li", display_name: "李娜", role: "agent" }], total: 1 }],
  "GET /groups": [200, { items: [{ id: 2, name: "一组" }], total: 1 }],
  "GET /break-reasons": [200, { items: [], total: 0 }],
} as const;
const report = {
  name: "outbound", from: "2026-12-07T00:00:00+08:00", to: "2026-12-08T00:00:00+08:00", group_by: ["campaign"],
  columns: [{ key: "campaign_id", kind: "id" }, { key: "dials", kind: "count" }, { key: "answer_rate", kind: "ratio" }],
  rows: [{ campaign_id: 3, dials: 12, answer_rate: 0.25 }], totals: { dials: 12, answer_rate: 0.25 },
};

describe("ReportView", () => {
  it("shows names for ids, the figures as the files write them and a totals line", async () => {
    mockFetch({ ...lookups } as any);
    const w = mount(ReportView, { props: { report: report as any }, ...plugins() });
    const { useLookups } = await import("@/stores/lookups");
    await useLookups().loadCampaigns();
    await settle();
    const text = w.get(".report-table").text();
    expect(text).toContain("活动");
    expect(text).toContain("秋季回访");
    expect(text).toContain("25.0%");
    expect(text).toContain("合计");
    expect(w.find(".chart-stub").exists()).toBe(true);
  });
});

describe("Reports page", () => {
  it("runs the report, offers its files in the language shown and shows the server's refusal", async () => {
    const calls = mockFetch({
      ...lookups,
      "GET /reports/outbound": [200, { ...report, group_by: ["day"], rows: [] }],
      "GET /reports/campaigns": [422, { error: { code: "invalid_argument", message: "invalid: group_by", details: [{ field: "group_by", message: '"day": this report groups by campaign' }] } }],
      "GET /saved-reports": [200, { items: [{ id: 4, name: "每周外呼", report: "outbound", period: "last_7_days", owner_id: 7, shared_with_group_id: 2 }], total: 1 }],
      "GET /report-schedules": [200, { items: [{ id: 1, saved_report_id: 4, every: "weekly", at: "08:00", enabled: true, emails: ["a@b.cn"], last_recipients: 1, last_masked: true, last_run_at: "2026-12-01T00:00:00Z" }], total: 1 }],
    } as any);
    useAuth().me = { id: 1, permissions: ["reports", "campaign_view"] } as any;
    const w = mount(Reports, { ...plugins() });
    await settle();
    const first = calls.find((c) => c.url.startsWith("/api/v1/reports/outbound"))!;
    expect(first.url).toMatch(/group_by=day/);
    expect(w.text()).toContain("该期间没有数据");
    expect(w.get(".download-xlsx").attributes("href")).toMatch(/^\/api\/v1\/reports\/outbound\?from=\d{4}-\d\d-\d\d&to=.*&group_by=day&format=xlsx&lang=zh-CN$/);
    expect(w.get(".saved-table").text()).toContain("每周外呼");
    expect(w.get(".saved-table").text()).toContain("每周 08:00");
    expect(w.get(".schedules-table").text()).toContain("a@b.cn");

    // A report with a grouping it does not offer: the server's words.
    (w.vm as any).form.name = "campaigns";
    (w.vm as any).form.group_by = ["day"];
    await (w.vm as any).run();
    await settle();
    expect(w.get(".report-error").text()).toContain('"day": this report groups by campaign');
  });
});

describe("Reports page: editing and deleting saved reports", () => {
  it("offers Edit and Delete on the user's own reports only, saves an edit with PATCH and deletes after a confirmation naming it", async () => {
    const confirm = vi.spyOn(ElMessageBox, "confirm").mockResolvedValue("confirm" as any);
    const mine = { id: 4, name: "每周外呼", report: "outbound", group_by: ["campaign"], measures: ["dials"], period: "last_7_days", owner_id: 1, shared_with_group_id: 2 };
    const theirs = { id: 5, name: "别人的报表", report: "outbound", group_by: ["day"], measures: [], period: "today", owner_id: 7, shared_with_group_id: 2 };
    let list = [mine, theirs];
    const calls = mockFetch({
      ...lookups,
      "GET /reports/outbound": [200, report],
      "GET /saved-reports": () => [200, { items: list, total: list.length }],
      "GET /report-schedules": [200, { items: [], total: 0 }],
      "PATCH /saved-reports/4": (c: Call) => [200, { ...mine, ...c.body }],
      "DELETE /saved-reports/4": () => {
        list = [theirs];
        return [204, null];
      },
    } as any);
    useAuth().me = { id: 1, role: "supervisor", permissions: ["reports", "campaign_view"] } as any;
    const w = mount(Reports, { attachTo: document.body, ...plugins() });
    await settle();
    const rows = w.findAll(".saved-table .el-table__body tr");
    expect(rows).toHaveLength(2);
    expect(rows[0].find(".edit-saved").exists()).toBe(true);
    expect(rows[1].find(".edit-saved").exists()).toBe(false); // shared with the user, not theirs
    expect(rows[1].find(".delete-saved").exists()).toBe(false);

    await rows[0].get(".edit-saved").trigger("click");
    await settle();
    const dialog = w.findComponent({ name: "SavedReportDialog" }).vm as any;
    expect([dialog.f.name, dialog.f.group_by, dialog.f.measures, dialog.f.shared]).toEqual(["每周外呼", ["campaign"], ["dials"], 2]);
    expect(dialog.measureKeys).toEqual(["campaign_id", "dials", "answer_rate"]); // the report's columns under its grouping
    dialog.f.name = "近7天外呼";
    dialog.f.shared = "";
    await dialog.save();
    await settle();
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.url).toBe("/api/v1/saved-reports/4");
    expect(patch.body).toMatchObject({ name: "近7天外呼", report: "outbound", group_by: ["campaign"], shared_with_group_id: 0 });
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await w.get(".saved-table .delete-saved").trigger("click");
    await settle();
    expect(confirm.mock.calls[0][0]).toContain("每周外呼");
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual(["/api/v1/saved-reports/4"]);
    expect(w.get(".saved-table").text()).not.toContain("每周外呼");
    expect(w.get(".saved-table").text()).toContain("别人的报表");
    w.unmount();
  });

  it("deletes nothing when the confirmation is cancelled", async () => {
    vi.spyOn(ElMessageBox, "confirm").mockRejectedValue("cancel");
    const calls = mockFetch({
      ...lookups,
      "GET /reports/outbound": [200, report],
      "GET /saved-reports": [200, { items: [{ id: 4, name: "每周外呼", report: "outbound", period: "today", owner_id: 1 }], total: 1 }],
      "GET /report-schedules": [200, { items: [], total: 0 }],
    } as any);
    useAuth().me = { id: 1, role: "supervisor", permissions: ["reports"] } as any;
    const w = mount(Reports, { ...plugins() });
    await settle();
    await w.get(".saved-table .delete-saved").trigger("click");
    await settle();
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(w.get(".saved-table").text()).toContain("每周外呼");
  });
});

describe("QaScoreForm", () => {
  const scorecards = [{ id: 2, name: "催收质检", items: [{ key: "greeting", label: "开场白", weight: 1, max_score: 5 }, { key: "verify", label: "核实身份", weight: 3, max_score: 1, critical: true }] }];
  it("scores a call with its comments and shows the total the server computed", async () => {
    const calls = mockFetch({
      ...lookups,
      "GET /calls": [200, { items: [{ id: 41, agent_id: 7, campaign_id: 3, outcome: "success", destination: "138****0000", created_at: "2026-12-07T01:00:00Z", recordings: [{ id: 9, url: "/api/v1/calls/41/recording" }] }], total: 1 }],
      "POST /qa/scores": (c: Call) => [201, { id: 5, total: 0, critical_failed: true, ...c.body }],
    } as any);
    useAuth().me = { id: 1, permissions: ["score", "listen"] } as any;
    const w = mount(QaScoreForm, { props: { scorecards }, ...plugins() });
    await settle();
    expect(w.get(".qa-calls").text()).toContain("138****0000"); // masked as the server sent it
    await w.get(".qa-calls .el-table__row").trigger("click");
    await settle();
    expect(w.get("audio.qa-player").attributes("src")).toBe("/api/v1/calls/41/recording?recording_id=9");
    (w.vm as any).scorecardId = 2;
    (w.vm as any).pickScorecard();
    await settle();
    (w.vm as any).scores.verify = 0;
    await w.get(".qa-comment input").setValue("没有核实身份");
    await w.get(".add-comment").trigger("click");
    await w.get(".submit-score").trigger("click");
    await settle();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toEqual({ scorecard_id: 2, call_id: 41, items: [{ key: "greeting", score: 5 }, { key: "verify", score: 0 }], comments: [{ at_ms: 0, text: "没有核实身份" }] });
    expect(w.get(".qa-result").text()).toContain("致命项不合格");
    expect(w.emitted("scored")).toHaveLength(1);
  });

  it("shows why the server refused the score", async () => {
    mockFetch({
      ...lookups,
      "GET /calls": [200, { items: [{ id: 41, agent_id: 1, recordings: [] }], total: 1 }],
      "POST /qa/scores": [403, { error: { code: "forbidden", message: "you may not score your own calls" } }],
    } as any);
    useAuth().me = { id: 1, permissions: ["score"] } as any;
    const w = mount(QaScoreForm, { props: { scorecards }, ...plugins() });
    await settle();
    await w.get(".qa-calls .el-table__row").trigger("click");
    (w.vm as any).scorecardId = 2;
    await settle();
    expect(w.text()).toContain("该通话没有可播放的录音");
    await w.get(".submit-score").trigger("click");
    await settle();
    expect(w.get(".form-error").text()).toContain("you may not score your own calls");
  });
});

describe("Voicemail", () => {
  it("lists open voicemails, plays one and marks it handled; a 409 shows the server's message", async () => {
    let handled = false;
    const vm = { id: 8, group_id: 2, caller: "139****1234", reason: "max_wait", duration_ms: 12000, sha256: "ab".repeat(32), created_at: "2026-12-07T02:00:00Z", url: "/api/v1/voicemails/8/audio" };
    const calls = mockFetch({
      ...lookups,
      "GET /voicemails": [200, { items: [vm], total: 1 }],
      "POST /voicemails/8/handled": () => (handled ? [409, { error: { code: "conflict", message: "voicemail 8 was already handled" } }] : ((handled = true), [200, { ...vm, handled_at: "2026-12-07T03:00:00Z", handled_by: 7 }])),
    } as any);
    const w = mount(Voicemail, { ...plugins() });
    await settle();
    expect(calls.find((c) => c.url.startsWith("/api/v1/voicemails"))!.url).toContain("handled=false");
    expect(w.get(".voicemail-table").text()).toContain("139****1234");
    expect(w.get(".voicemail-table").text()).toContain("等待超时");
    await w.get(".voicemail-table .play").trigger("click");
    await settle();
    expect(w.get("audio.voicemail-player").attributes("src")).toBe("/api/v1/voicemails/8/audio");
    await w.get(".voicemail-table .mark-handled").trigger("click");
    await settle();
    expect(w.find(".voicemail-table .mark-handled").exists()).toBe(false);
    expect(w.get(".voicemail-table").text()).toContain("李娜");
    await (w.vm as any).handled(vm);
    await settle();
    expect(document.body.textContent).toContain("voicemail 8 was already handled");
  });
});

describe("Workstations", () => {
  it("registers a PC and shows its token once; the server's refusal is shown", async () => {
    let n = 0;
    mockFetch({
      ...lookups,
      "GET /workstations": [200, { items: [{ id: 1, name: "pc-01", state: "partial", fresh: false, reported_at: "2026-12-07T00:00:00Z", details: { udev: "missing" } }], total: 1 }],
      "POST /workstations": (c: Call) => (n++ ? [409, { error: { code: "conflict", message: "workstation pc-02 exists" } }] : [201, { id: 2, name: c.body.name, token: "tok-123" }]),
    } as any);
    const w = mount(Workstations, { ...plugins() });
    await settle();
    expect(w.get(".workstation-table").text()).toContain("部分锁定");
    expect(w.get(".workstation-table").text()).toContain("过期");
    await w.get("input[name=ws-name]").setValue("pc-02");
    await w.get("form").trigger("submit");
    await settle();
    expect(w.get(".token").text()).toBe("tok-123");
    await w.get("input[name=ws-name]").setValue("pc-02");
    await w.get("form").trigger("submit");
    await settle();
    expect(w.text()).toContain("workstation pc-02 exists");
  });
});

describe("ReportScheduleDialog", () => {
  it("creates the first schedule, then changes it", async () => {
    const calls = mockFetch({
      ...lookups,
      "POST /saved-reports/4/schedule": (c: Call) => [201, { id: 1, saved_report_id: 4, ...c.body }],
      "PATCH /saved-reports/4/schedule": [422, { error: { code: "invalid_argument", message: "invalid: emails", details: [{ field: "emails[0]", message: "not an e-mail address" }] } }],
    } as any);
    const saved = { id: 4, name: "每周外呼" };
    const w = mount(ReportScheduleDialog, { props: { saved, schedule: null, modelValue: false }, attachTo: document.body, ...plugins() });
    await w.setProps({ modelValue: true });
    await settle();
    const vm = w.vm as any;
    Object.assign(vm.f, { every: "weekly", weekday: 5, emails: "a@bank.cn, b@bank.cn\nc@bank.cn" });
    await vm.save();
    await settle();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      every: "weekly", at: "08:00", weekday: 5, timezone: "Asia/Shanghai", emails: ["a@bank.cn", "b@bank.cn", "c@bank.cn"], group_id: 0, lang: "zh-CN", enabled: true,
    });
    expect(w.emitted("saved")).toHaveLength(1);

    await w.setProps({ schedule: { id: 1, saved_report_id: 4, every: "monthly", month_day: 31, at: "07:30", timezone: "Asia/Shanghai", emails: ["x"], lang: "en", enabled: false } });
    await w.setProps({ modelValue: false });
    await w.setProps({ modelValue: true });
    await settle();
    expect([vm.f.every, vm.f.month_day, vm.f.lang, vm.f.enabled]).toEqual(["monthly", 31, "en", false]);
    await vm.save();
    await settle();
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(1);
    expect(vm.error).toBe("invalid: emails: emails[0] not an e-mail address");
    w.unmount();
  });
});

describe("CampaignResults", () => {
  it("shows the analysis and recycles the contacts of one status and result", async () => {
    vi.spyOn(ElMessageBox, "confirm").mockResolvedValue("confirm" as any);
    const results = {
      campaign_id: 3, funnel: [{ attempt_no: 1, dials: 10, answered: 6, human: 5, reached: 4, success: 2 }], outcomes: [{ value: "busy", n: 3 }],
      dispositions: [], number_statuses: [{ value: "invalid", n: 1 }], left: [{ status: "failed", last_result: "busy", n: 3 }],
    };
    const calls = mockFetch({ ...lookups, "GET /campaigns/3/results": [200, results], "POST /campaigns/3/results/actions": [200, { contacts: 3 }] } as any);
    useAuth().me = { id: 1, permissions: ["campaign_view", "campaign_manage"] } as any;
    const w = mount(CampaignResults, { ...plugins() });
    (w.vm as any).campaignId = 3;
    await (w.vm as any).load();
    await settle();
    expect(w.text()).toContain("按拨打次数的漏斗");
    expect(w.text()).toContain("忙线");
    expect(w.find(".blacklist-invalid").exists()).toBe(false); // no dnc_manage
    await w.get(".recycle").trigger("click");
    await settle();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ action: "recycle", statuses: ["failed"], last_results: ["busy"] });
    expect(calls.filter((c) => c.url === "/api/v1/campaigns/3/results")).toHaveLength(2); // loaded again
  });
});

describe("Qa page for an agent", () => {
  it("shows only the agent's own scores and sends an appeal", async () => {
    const mine = { id: 5, call_id: 41, agent_id: 7, scorer_id: 1, total: 62.5, critical_failed: false, items: [{ key: "greeting", score: 3 }], comments: [{ at_ms: 65000, text: "语速过快" }], created_at: "2026-12-07T01:00:00Z" };
    const calls = mockFetch({
      ...lookups,
      "GET /qa/scorecards": [200, { items: [], total: 0 }],
      "GET /qa/scores": [200, { items: [mine], total: 1 }],
      "POST /qa/scores/5/appeal": (c: Call) => [200, { ...mine, appeal: "open", appeal_text: c.body.text }],
    } as any);
    useAuth().me = { id: 7, permissions: ["agent_desk"] } as any;
    const w = mount(Qa, { attachTo: document.body, ...plugins() });
    await settle();
    expect(w.findAll(".el-tabs__item").map((x) => x.text())).toEqual(["我的评分"]);
    expect(calls.find((c) => c.url.startsWith("/api/v1/qa/scores"))!.url).toBe("/api/v1/qa/scores"); // the server limits it to one's own
    expect(w.get(".mine-table").text()).toContain("1:05 语速过快");
    await w.get(".mine-table .appeal").trigger("click");
    await settle();
    (w.vm as any).appeal.text = "客户要求加快";
    await (w.vm as any).sendAppeal();
    await settle();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ text: "客户要求加快" });
    w.unmount();
  });
});
