import { describe, it, expect } from "vitest";
import zh from "./admin.zh-CN";
import en from "./admin.en";
import base from "./zh-CN";
import { i18n, deepMerge, enumLabel, setLang } from "./index";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, prefix + k + ".") : [prefix + k]));
}
const at = (o: any, k: string) => k.split(".").reduce((x, p) => x[p], o);

describe("admin page labels", () => {
  it("both languages have the same keys, each translated", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    expect(keys(zh).filter((k) => at(zh, k) === at(en, k))).toEqual([]);
    for (const k of keys(zh)) expect(i18n.global.t(k), k).not.toBe(k);
  });

  it("adds to the base labels without replacing one", () => {
    const clash = keys(zh).filter((k) => keys(base).includes(k));
    expect(clash).toEqual([]);
    // The base enum groups are still there next to the new ones.
    expect(enumLabel("campaign_status", "running")).toBe("进行中");
    expect(enumLabel("agent_state", "on_call")).toBe("通话中");
    setLang("en");
    expect(enumLabel("agent_state", "on_call")).toBe("On call");
    setLang("zh-CN");
  });

  it("deepMerge joins nested groups", () => {
    expect(deepMerge({ a: { x: 1 }, b: 2 }, { a: { y: 3 }, c: 4 })).toEqual({ a: { x: 1, y: 3 }, b: 2, c: 4 });
  });
});
