import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useAuth } from "./auth";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

const admin = { id: 1, username: "admin", display_name: "管理员", permissions: ["campaign_view", "campaign_manage", "users_manage"] };

describe("auth store", () => {
  it("signs in, knows the permissions, signs out", async () => {
    document.cookie = "cc_csrf=tok";
    const calls = mockFetch({ "POST /auth/login": [200, { token: "t" }], "GET /me": [200, admin], "POST /auth/logout": [204, null] });
    const auth = useAuth();
    expect(auth.signedIn).toBe(false);
    await auth.login("admin", "pw");
    expect(calls[0].body).toEqual({ username: "admin", password: "pw" });
    expect(auth.signedIn).toBe(true);
    expect(auth.can("users_manage")).toBe(true);
    expect(auth.can("audit_read")).toBe(false);
    expect(auth.can(undefined)).toBe(true);
    await auth.logout();
    expect(auth.signedIn).toBe(false);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["POST /api/v1/auth/login", "GET /api/v1/me", "POST /api/v1/auth/logout"]);
  });

  it("a refused login leaves nobody signed in", async () => {
    mockFetch({ "POST /auth/login": [401, { error: { message: "wrong username or password" } }] });
    const auth = useAuth();
    await expect(auth.login("admin", "bad")).rejects.toThrow("wrong username or password");
    expect(auth.signedIn).toBe(false);
  });

  it("fetchMe without a session cookie asks nothing", async () => {
    document.cookie = "cc_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
    const calls = mockFetch({});
    const auth = useAuth();
    expect(await auth.fetchMe()).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it("fetchMe with an ended session answers null and marks checked", async () => {
    document.cookie = "cc_csrf=old";
    mockFetch({ "GET /me": [401, { error: { message: "sign in" } }] });
    const auth = useAuth();
    expect(await auth.fetchMe()).toBeNull();
    expect(auth.checked).toBe(true);
  });

  it.each([[true], [false]])("reads simulated=%s from /healthz", async (sim) => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ status: "ok", simulated: sim }))));
    const auth = useAuth();
    await auth.loadHealth();
    expect(auth.simulated).toBe(sim);
  });
});
