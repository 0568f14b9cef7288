import { describe, it, expect } from "vitest";
import zh from "./zh-CN";
import en from "./en";
import { setLang, i18n, enumLabel } from "./index";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, prefix + k + ".") : [prefix + k]));
}

describe("i18n", () => {
  it("both languages have the same labels, none empty", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    for (const k of keys(zh)) expect(i18n.global.t(k), k).not.toBe("");
  });

  it("zh-CN labels are Chinese, English ones are not", () => {
    // Every label that is not a proper noun or code differs between the two.
    const same = keys(zh).filter((k) => k.split(".").reduce((o: any, p) => o[p], zh) === k.split(".").reduce((o: any, p) => o[p], en));
    expect(same).toEqual([]);
  });

  it("switching sets the page language and is remembered", () => {
    setLang("en");
    expect(document.documentElement.lang).toBe("en");
    expect(localStorage.getItem("lang")).toBe("en");
    expect(i18n.global.t("menu.campaigns")).toBe("Campaigns");
    setLang("zh-CN");
    expect(i18n.global.t("menu.campaigns")).toBe("外呼活动");
  });

  it("counts agree with their number in English", () => {
    setLang("en");
    expect(i18n.global.t("desk.verify_attempts", { n: 1 }, 1)).toBe("1 try");
    expect(i18n.global.t("desk.verify_attempts", { n: 3 }, 3)).toBe("3 tries");
    setLang("zh-CN");
    expect(i18n.global.t("desk.verify_attempts", { n: 3 }, 3)).toBe("输入 3 次");
  });

  it("enum labels fall back to the server's value", () => {
    expect(enumLabel("campaign_status", "running")).toBe("进行中");
    expect(enumLabel("campaign_status", "brand_new")).toBe("brand_new");
    expect(enumLabel("campaign_status", "")).toBe("");
  });
});
