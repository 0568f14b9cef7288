import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { createRouter, createMemoryHistory } from "vue-router";
import ElementPlus from "element-plus";
import { i18n, setLang } from "@/i18n";
import { mockFetch } from "@/test/fetch";
import { useAuth } from "@/stores/auth";
import { useDlp } from "@/stores/dlp";
import CampaignFormDialog from "./CampaignFormDialog.vue";
import DlpGuard from "./DlpGuard.vue";

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  setLang("zh-CN");
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("CampaignFormDialog", () => {
  const lookups = { "GET /strategies": [200, { items: [{ id: 3, name: "催缴策略" }], total: 1 }], "GET /groups": [200, { items: [], total: 0 }], "GET /campaigns": [200, { items: [], total: 0 }] } as const;

  it("creates a campaign and closes", async () => {
    const calls = mockFetch({ ...lookups, "POST /campaigns": [201, { id: 9, name: "回访" }] } as any);
    const w = mount(CampaignFormDialog, { props: { modelValue: true }, global: { plugins: [pinia, i18n, ElementPlus] }, attachTo: document.body });
    await settle();
    const name = document.querySelector<HTMLInputElement>("#campaign-form input[name=name]")!;
    name.value = "回访";
    name.dispatchEvent(new Event("input"));
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await settle();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toMatchObject({ name: "回访", kind: "notification", media: "voice", dial_mode: "progressive", caller_ids: [] });
    expect(w.emitted("saved")?.[0]).toEqual([{ id: 9, name: "回访" }]);
    expect(w.emitted("update:modelValue")?.[0]).toEqual([false]);
  });

  it("shows the server's refusal with the fields it names and stays open", async () => {
    mockFetch({ ...lookups, "POST /campaigns": [409, { error: { code: "conflict", message: "a campaign with this name exists", details: [{ field: "name", message: "taken" }] } }] } as any);
    const w = mount(CampaignFormDialog, { props: { modelValue: true }, global: { plugins: [pinia, i18n, ElementPlus] }, attachTo: document.body });
    await settle();
    (document.querySelector(".el-dialog .save") as HTMLElement).click();
    await settle();
    expect(document.querySelector(".form-error")!.textContent).toBe("a campaign with this name exists: name taken");
    expect(w.emitted("update:modelValue")).toBeUndefined();
  });
});

describe("DlpGuard", () => {
  async function mountGuard(canExport: boolean) {
    const calls = mockFetch({
      "GET /me/ui-policy": [200, { idle_lock_seconds: 600, screen_locked: false, watermark: true, can_export: canExport, copy_audit: true }],
      "POST /audit/client-events": [204, null],
    });
    useAuth().me = { id: 2, username: "qa1", display_name: "质检小王", permissions: [] } as any;
    await useDlp().start();
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", name: "home", component: { template: "<div />" } }] });
    await router.push("/");
    const w = mount(DlpGuard, { global: { plugins: [pinia, i18n, ElementPlus, router] }, attachTo: document.body });
    await settle();
    return { w, calls };
  }

  it("draws the watermark and puts it back when removed", async () => {
    const { w } = await mountGuard(false);
    const mark = document.getElementById("watermark")!;
    expect(mark.dataset.text).toMatch(/^质检小王 qa1 \d{4}-\d\d-\d\d \d\d:\d\d$/);
    mark.remove();
    await settle();
    expect(document.getElementById("watermark")).not.toBeNull();
    w.unmount();
    expect(document.getElementById("watermark")).toBeNull();
  });

  it.each([[false, true], [true, false]])("export %s: Ctrl+P refused %s", async (canExport, refused) => {
    const { w, calls } = await mountGuard(canExport);
    const ev = new KeyboardEvent("keydown", { key: "p", ctrlKey: true, cancelable: true, bubbles: true });
    document.dispatchEvent(ev);
    await settle();
    expect(ev.defaultPrevented).toBe(refused);
    expect(!!document.getElementById("dlp-toast")).toBe(refused);
    expect(calls.some((c) => c.body?.action === "print_blocked")).toBe(refused);
    w.unmount();
  });
});
