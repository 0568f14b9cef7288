import { describe, it, expect } from "vitest";
import { addComment, atText, itemKey, scoreBody, startScores } from "./qa";

describe("QA helpers", () => {
  it("keeps comments in the recording's order", () => {
    let list = addComment([], { at_ms: 65_400.2, text: " 没有核实身份 " });
    list = addComment(list, { at_ms: 3_000, text: "开场白完整" });
    expect(list).toEqual([{ at_ms: 3000, text: "开场白完整" }, { at_ms: 65400, text: "没有核实身份" }]);
    expect(list.map((c) => atText(c.at_ms))).toEqual(["0:03", "1:05"]);
  });
  it("starts each item at its full score and sends every item", () => {
    const sc = { id: 2, name: "催收", items: [{ key: "greeting", label: "开场", weight: 1, max_score: 5 }, { key: "verify", label: "核身", weight: 3, max_score: 1, critical: true }] };
    const s = startScores(sc);
    expect(s).toEqual({ greeting: 5, verify: 1 });
    s.verify = 0;
    expect(scoreBody(2, 41, s, [])).toEqual({ scorecard_id: 2, call_id: 41, items: [{ key: "greeting", score: 5 }, { key: "verify", score: 0 }], comments: [] });
  });
  it.each([["Greeting & name", 1, "greeting_name"], ["开场白", 2, "item_2"]])("itemKey(%s)", (label, n, want) => {
    expect(itemKey(label as string, n as number)).toBe(want);
  });
});
