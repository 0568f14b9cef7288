import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useCampaigns, runActions, emptyForm, formOf } from "./campaigns";
import { summarize } from "./dashboard";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

describe("runActions", () => {
  it.each([
    ["draft", ["start"]],
    ["running", ["pause", "stop"]],
    ["paused", ["start", "stop"]],
    ["stopped", []],
    ["completed", []],
  ])("%s → %j", (status, want) => expect(runActions(status)).toEqual(want));
});

describe("campaigns store", () => {
  it("pages on the server and filters", async () => {
    const calls = mockFetch({ "GET /campaigns": [200, { items: [{ id: 1, name: "a", status: "draft" }], total: 41 }] });
    const s = useCampaigns();
    s.page = 3;
    s.status = "running";
    await s.load();
    expect(calls[0].url).toBe("/api/v1/campaigns?page=3&page_size=20&status=running");
    expect(s.total).toBe(41);
  });

  it("creates with trimmed caller IDs and reloads", async () => {
    const calls = mockFetch({ "POST /campaigns": [201, { id: 5 }], "GET /campaigns": [200, { items: [], total: 0 }] });
    const s = useCampaigns();
    await s.save({ ...emptyForm(), name: "回访", caller_ids: [" 95588 ", ""] });
    expect(calls[0].body).toMatchObject({ name: "回访", caller_ids: ["95588"], strategy_id: null });
    expect(calls[1].method).toBe("GET");
  });

  it("sends an email campaign's message with its attachments in order, keeping the fields the form does not edit", async () => {
    const calls = mockFetch({ "PATCH /campaigns/5": [200, { id: 5 }], "GET /campaigns": [200, { items: [], total: 0 }] });
    const s = useCampaigns();
    const f = formOf({ id: 5, name: "账单", media: "email", caller_ids: null, message: { subject: "账单", html: "<p>x</p>", attachments: [4] } } as any);
    f.message.attachments.push(2);
    await s.save(f, 5);
    expect(calls[0].body.message).toEqual({ subject: "账单", text: "", html: "<p>x</p>", attachments: [4, 2] });
    // Another medium's message is not this form's: not sent, kept as it is.
    await s.save({ ...f, media: "sms" }, 5);
    expect(calls[2].body).not.toHaveProperty("message");
  });

  it("edits with PATCH", async () => {
    const calls = mockFetch({ "PATCH /campaigns/5": [200, { id: 5 }], "GET /campaigns": [200, { items: [], total: 0 }] });
    await useCampaigns().save(emptyForm(), 5);
    expect(calls[0].method).toBe("PATCH");
  });

  it("start shows the new status; a refusal carries the server's fields", async () => {
    mockFetch({
      "POST /campaigns/1/start": [200, { id: 1, status: "running" }],
      "POST /campaigns/2/start": [422, { error: { message: "campaign cannot run", details: [{ field: "strategy_id", message: "required" }] } }],
    });
    const s = useCampaigns();
    s.items = [{ id: 1, status: "draft" } as any, { id: 2, status: "draft" } as any];
    await s.run(1, "start");
    expect(s.items[0].status).toBe("running");
    await expect(s.run(2, "start")).rejects.toMatchObject({ status: 422 });
    expect(s.items[1].status).toBe("draft");
  });
});

describe("dashboard summary", () => {
  it("adds the campaigns' figures up", () => {
    const st = (o: object) => ({ contacts_total: 0, attempts: 0, answered: 0, abandoned: 0, contacts: {}, ...o }) as any;
    const s = summarize([{ status: "running" }, { status: "paused" }] as any, [
      st({ contacts_total: 10, attempts: 8, answered: 5, abandoned: 1, answered_human_24h: 4, abandoned_24h: 1, contacts: { pending: 6, completed: 4 } }),
      st({ contacts_total: 5, attempts: 2, answered: 1, answered_human_24h: 1, contacts: { pending: 5 } }),
    ]);
    expect(s).toMatchObject({ running: 1, contacts: 15, attempts: 10, answered: 6, abandoned: 1, byStatus: { pending: 11, completed: 4 } });
    expect(s.abandonRate).toBeCloseTo(0.2);
  });
});
