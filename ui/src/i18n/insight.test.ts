import { describe, it, expect } from "vitest";
import zh from "./insight.zh-CN";
import en from "./insight.en";
import base from "./zh-CN";
import admin from "./admin.zh-CN";
import scripts from "./scripts.zh-CN";
import { i18n, enumLabel, setLang } from "./index";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, prefix + k + ".") : [prefix + k]));
}
const at = (o: any, k: string) => k.split(".").reduce((x, p) => x[p], o);

describe("reports, QA, voicemail and workstation labels", () => {
  it("both languages have the same keys, each translated", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    expect(keys(zh).filter((k) => at(zh, k) === at(en, k))).toEqual([]);
    for (const k of keys(zh)) expect(i18n.global.t(k), k).not.toBe(k);
  });

  it("adds to the other label sets without replacing one", () => {
    const others = new Set([...keys(base), ...keys(admin), ...keys(scripts)]);
    expect(keys(zh).filter((k) => others.has(k))).toEqual([]);
    expect(enumLabel("report", "inbound")).toBe("呼入队列");
    expect(enumLabel("outcome", "busy")).toBe("忙线");
    setLang("en");
    expect(enumLabel("lock_state", "partial")).toBe("Partly locked");
    setLang("zh-CN");
  });
});
