import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useArticles, useKbSearch, statusActions, articleForm } from "./kb";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe("knowledge base", () => {
  it.each([
    ["draft", ["published", "retired"]],
    ["published", ["retired", "draft"]],
    ["retired", ["published", "draft"]],
  ])("%s may become %j", (s, want) => expect(statusActions(s)).toEqual(want));

  it("saves with trimmed tags, then publishes", async () => {
    const calls = mockFetch({
      "POST /kb/articles": [201, { id: 3, status: "draft" }],
      "GET /kb/articles": [200, { items: [{ id: 3, status: "draft", title: "还款渠道" }], total: 1 }],
      "POST /kb/articles/3/status": [200, { id: 3, status: "published", published_version: 1 }],
    });
    const s = useArticles();
    await s.save({ ...articleForm(), title: " 还款渠道 ", tags: [" 还款 ", ""], category: "催收" });
    expect(calls[0].body).toEqual({ title: "还款渠道", category: "催收", tags: ["还款"], body: "" });
    await s.setStatus(3, "published");
    expect(s.items[0]).toMatchObject({ status: "published", title: "还款渠道" });
  });

  it("agents search the published articles", async () => {
    const calls = mockFetch({ "GET /kb/search": [200, { items: [{ id: 1, title: "还款渠道" }], total: 1 }], "GET /kb/read/1": [200, { id: 1, body: "网银" }] });
    const s = useKbSearch();
    s.q = "还款";
    s.category = "催收";
    await s.search();
    expect(decodeURIComponent(calls[0].url)).toBe("/api/v1/kb/search?q=还款&category=催收");
    await s.read(1);
    expect(s.open?.body).toBe("网银");
  });

  it("uploads an attachment as a form", async () => {
    const calls = mockFetch({ "POST /kb/articles/3/attachments": [201, { id: 9 }] });
    await useArticles().attach(3, new File(["abc"], "说明.pdf"));
    expect(calls[0].body).toBeInstanceOf(FormData);
  });
});
