import { describe, it, expect, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { menuItems } from "@/router";
import { useImportWizard } from "@/stores/importWizard";
import ImportWizard from "./ImportWizard.vue";
import LangSwitch from "./LangSwitch.vue";
import StatusTag from "./StatusTag.vue";

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
});
// settle lets el-table lay its rows out.
async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
  }
}
const plugins = () => ({ global: { plugins: [pinia, i18n, ElementPlus] } });

describe("menu", () => {
  it.each([
    [["campaign_view"], ["dashboard", "campaigns", "blacklist", "strategies", "calls", "messages"]],
    [["campaign_view", "users_manage", "audit_read"], ["dashboard", "campaigns", "blacklist", "users", "audit", "strategies", "calls", "messages"]],
    [["agent_desk"], ["desk", "callbacks", "calls", "messages", "qa", "voicemail", "kb-search"]],
    [["monitor", "export", "shift_manage", "settings_manage"], ["monitor", "calls", "messages", "shifts", "outbound", "exports", "voicemail", "workstations", "wallboard"]],
    [["reports", "score"], ["calls", "messages", "reports", "qa"]],
    [["script_edit", "kb_manage"], ["calls", "messages", "scripts", "kb"]],
  ])("permissions %j show %j", (perms, want) => {
    expect(menuItems((p) => !p || perms.includes(p)).map((r) => r.name)).toEqual(want);
  });
});

describe("LangSwitch", () => {
  it("switches every label and back", async () => {
    const w = mount({ components: { LangSwitch, StatusTag }, template: `<div><LangSwitch /><StatusTag status="paused" /></div>` }, plugins());
    expect(w.text()).toContain("English");
    expect(w.text()).toContain("已暂停");
    await w.get("#lang").trigger("click");
    expect(w.text()).toContain("中文");
    expect(w.text()).toContain("Paused");
    expect(document.documentElement.lang).toBe("en");
    await w.get("#lang").trigger("click");
    expect(w.text()).toContain("已暂停");
  });
});

describe("ImportWizard", () => {
  it("shows the result with the errors by row, duplicates explained", async () => {
    const w = mount(ImportWizard, { props: { campaignId: 3 }, ...plugins() });
    const s = useImportWizard();
    s.job = {
      id: 9, campaign_id: 3, filename: "a.xlsx", format: "xlsx", status: "done", total: 5, imported: 3, duplicates: 1, blocked: 0, rejected: 1,
      errors: [{ row: 4, field: "phone", message: "not a mobile number" }, { row: 6, field: "phone", message: "duplicate", duplicate_of: { row: 2 } }],
      resumable: false, created_at: "2026-01-01T00:00:00Z",
    };
    s.step = 3;
    await settle();
    expect(w.emitted("done")).toHaveLength(1);
    const text = w.get(".row-errors").text();
    expect(text).toContain("not a mobile number");
    expect(text).toContain("与第 2 行重复");
    expect(text).toContain("手机号码");
    expect(w.get(".download-errors").attributes("href")).toBe("/api/v1/imports/9/errors.csv");
    expect(w.get(".count-rejected").text()).toBe("1");
  });

  it("marks the preview rows that would be refused", async () => {
    const w = mount(ImportWizard, { props: { campaignId: 3 }, ...plugins() });
    const s = useImportWizard();
    s.preview = {
      header: ["姓名", "手机"],
      mapping: { columns: [{ index: 0, header: "姓名", field: "name" }, { index: 1, header: "手机", field: "phone" }] },
      rows: [{ row: 2, cells: ["张三", "13800000000"], valid: true, errors: null }, { row: 3, cells: ["李四", "12"], valid: false, errors: [{ row: 3, field: "phone", message: "too short" }] }],
    };
    s.columns = s.preview.mapping.columns;
    s.step = 1;
    await settle();
    expect(w.get(".preview-summary").text()).toBe("预览中 1 行有问题");
    expect(w.get(".preview-table").text()).toContain("手机号码: too short");
  });
});
