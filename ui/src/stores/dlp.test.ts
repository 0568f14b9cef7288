import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useDlp, watermarkText, isBulkCopy } from "./dlp";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.className = "";
});

const policy = (p = {}) => ({ idle_lock_seconds: 600, screen_locked: false, watermark: true, can_export: false, copy_audit: true, ...p });

describe("dlp", () => {
  it("watermark names the user and the minute", () => {
    expect(watermarkText({ display_name: "质检小王", username: "qa1" }, new Date(2026, 0, 5, 9, 7))).toBe("质检小王 qa1 2026-01-05 09:07");
    expect(watermarkText({ display_name: "", username: "qa1" }, new Date(2026, 11, 31, 23, 59))).toBe("qa1 2026-12-31 23:59");
  });

  it.each([
    [1, 10, false],
    [1, 200, false],
    [1, 201, true],
    [2, 5, true],
  ])("%i rows, %i chars: bulk %s", (rows, chars, want) => expect(isBulkCopy(rows, chars)).toBe(want));

  it("without export the body refuses printing", async () => {
    mockFetch({ "GET /me/ui-policy": [200, policy()] });
    const dlp = useDlp();
    expect(await dlp.start()).toBe(true);
    expect(document.body.classList.contains("no-export")).toBe(true);
    dlp.stop();
    expect(document.body.classList.contains("no-export")).toBe(false);
  });

  it("locks after the idle time and tells the server; unlocks with the password", async () => {
    const calls = mockFetch({ "GET /me/ui-policy": [200, policy({ can_export: true })], "POST /auth/screen-lock": [204, null], "POST /auth/unlock": [204, null] });
    const dlp = useDlp();
    await dlp.start();
    dlp.touch(1_000_000);
    expect(dlp.checkIdle(1_000_000 + 599_000)).toBe(false);
    expect(dlp.checkIdle(1_000_000 + 600_000)).toBe(true);
    expect(dlp.locked).toBe(true);
    expect(document.body.classList.contains("locked")).toBe(true);
    await vi.waitFor(() => expect(calls.some((c) => c.url.endsWith("/auth/screen-lock"))).toBe(true));
    expect(dlp.checkIdle(9_999_999_999)).toBe(false); // locked already
    await dlp.unlock("pw");
    expect(dlp.locked).toBe(false);
    expect(calls.at(-1)!.body).toEqual({ password: "pw" });
  });

  it("a wrong password keeps the lock", async () => {
    mockFetch({ "GET /me/ui-policy": [200, policy({ screen_locked: true })], "POST /auth/unlock": [401, { error: { message: "wrong password" } }] });
    const dlp = useDlp();
    expect(await dlp.start()).toBe(false);
    dlp.showLock();
    await expect(dlp.unlock("bad")).rejects.toThrow("wrong password");
    expect(dlp.locked).toBe(true);
  });

  it("no idle lock when the policy has none", async () => {
    mockFetch({ "GET /me/ui-policy": [200, policy({ idle_lock_seconds: 0 })] });
    const dlp = useDlp();
    await dlp.start();
    expect(dlp.checkIdle(Date.now() + 1e9)).toBe(false);
  });
});
