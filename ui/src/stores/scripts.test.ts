import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useScripts, useDesigner, useFeedback, reportRows } from "./scripts";
import { addNode, connect } from "./flow";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

const view = { id: 7, title: "逾期提醒", version: 1, published_version: 0, viewed_version: 1, start: "t1",
  nodes: [{ id: "t1", type: "text", text: "您好", next: "end1" }, { id: "end1", type: "end", outcome: "success" }], layout: { t1: { x: 10, y: 20 } } };

describe("scripts store", () => {
  it("searches by keyword on the server", async () => {
    const calls = mockFetch({ "GET /scripts": [200, { items: [{ id: 1, title: "逾期提醒" }], total: 1 }] });
    const s = useScripts();
    s.q = " 逾期 ";
    await s.load();
    expect(decodeURIComponent(calls[0].url)).toBe("/api/v1/scripts?q=逾期&page=1&page_size=20");
    expect(s.items[0].title).toBe("逾期提醒");
  });

  it("an import refused names its rows", async () => {
    mockFetch({ "POST /scripts/import": [400, { error: { message: "invalid script file", details: [{ row: 3, field: "类型", message: "unknown type 问答" }] } }] });
    const err = await useScripts().importFile(new File(["x"], "s.csv"), { title: "t" }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.body.details[0].row).toBe(3);
  });
});

describe("designer store", () => {
  it("opens a script with its layout and places the rest", async () => {
    mockFetch({ "GET /scripts/7": [200, view], "GET /scripts/7/versions": [200, { items: [{ version: 1 }], total: 1 }] });
    const d = useDesigner();
    await d.open(7);
    expect(d.flow.layout.t1).toEqual({ x: 10, y: 20 });
    expect(d.flow.layout.end1).toBeDefined();
    expect(d.versions).toHaveLength(1);
  });

  it("creates with POST, saves the next version with PATCH on its base version, the layout with it", async () => {
    const calls = mockFetch({
      "POST /scripts": [201, view],
      "PATCH /scripts/7": [200, { ...view, version: 2, viewed_version: 2 }],
      "GET /scripts/7/versions": [200, { items: [], total: 0 }],
    });
    const d = useDesigner();
    d.title = "逾期提醒";
    const t = addNode(d.flow, "text", { x: 10, y: 20 });
    t.text = "您好";
    const e = addNode(d.flow, "end", { x: 300, y: 20 });
    e.outcome = "success";
    connect(d.flow, "t1", "next", "end1");
    await d.save();
    expect(calls[0]).toMatchObject({ method: "POST", body: { title: "逾期提醒", start: "t1", layout: { t1: { x: 10, y: 20 }, end1: { x: 300, y: 20 } } } });
    await d.save({ publish: true });
    expect(calls[2]).toMatchObject({ method: "PATCH", body: { base_version: 1, publish: true } });
    expect(d.version).toBe(2);
  });

  it("a refused save puts each error on its node", async () => {
    mockFetch({ "POST /scripts": [400, { error: { message: "invalid flow", details: [{ field: "nodes[1].next", message: 'node "q2": a dead end without an outcome' }] } }] });
    const d = useDesigner();
    d.title = "x";
    addNode(d.flow, "question", { x: 0, y: 0 });
    addNode(d.flow, "question", { x: 0, y: 0 });
    await expect(d.save()).rejects.toMatchObject({ status: 400 });
    expect(d.errors.q2[0]).toMatch(/dead end/);
    expect(d.id).toBe(0);
  });
});

describe("feedback store", () => {
  it("an answered item leaves the open list", async () => {
    const calls = mockFetch({
      "GET /script-feedback": [200, { items: [{ id: 1, status: "open" }, { id: 2, status: "open" }], total: 2 }],
      "PATCH /script-feedback/1": [200, { id: 1, status: "resolved", answer: "已补充" }],
    });
    const f = useFeedback();
    await f.load();
    expect(calls[0].url).toBe("/api/v1/script-feedback?status=open");
    await f.answer(1, "已补充", "resolved");
    expect(calls[1].body).toEqual({ answer: "已补充", status: "resolved" });
    expect(f.items.map((x) => x.id)).toEqual([2]);
  });
});

describe("answer report", () => {
  it("one row per answer with a column per outcome", () => {
    const r = reportRows({ campaign_id: 1, sessions: 3, outcomes: [], questions: [
      { script_id: 1, version: 1, node_id: "q1", text: "本人吗？", answer_type: "yes_no", answers: 3,
        values: [{ value: "yes", label: "是", count: 2, by_outcome: { success: 2 } }, { value: "no", label: "否", count: 1, by_outcome: { wrong_person: 1 } }] }] });
    expect(r.outcomes).toEqual(["success", "wrong_person"]);
    expect(r.rows[1]).toEqual({ node: "q1 (v1)", text: "本人吗？", answer: "否", count: 1, "o:success": 0, "o:wrong_person": 1 });
  });
});
