import { describe, it, expect, vi, afterEach } from "vitest";
import { api, ApiError, csrfToken, query, setHooks, errorText, fieldErrors } from "./client";
import { mockFetch } from "@/test/fetch";

afterEach(() => vi.unstubAllGlobals());

describe("csrfToken", () => {
  it.each([
    ["cc_csrf=abc", "abc"],
    ["a=1; cc_csrf=x%2By; b=2", "x+y"],
    ["xcc_csrf=no", ""],
    ["", ""],
  ])("%s → %s", (cookie, want) => expect(csrfToken(cookie)).toBe(want));
});

describe("query", () => {
  it.each([
    [{ page: 1, q: "", status: [] }, "?page=1"],
    [{ status: ["pending", "failed"], q: "王" }, "?status=pending%2Cfailed&q=%E7%8E%8B"],
    [{ a: undefined, b: null }, ""],
  ])("%j", (params, want) => expect(query(params)).toBe(want));
});

describe("api", () => {
  it("sends the CSRF token with changes only", async () => {
    document.cookie = "cc_csrf=tok1";
    const calls = mockFetch({ "GET /me": [200, { id: 1 }], "POST /campaigns": [201, { id: 2 }] });
    await api("GET", "/me");
    await api("POST", "/campaigns", { name: "x" });
    expect(calls[0].headers["X-CSRF-Token"]).toBeUndefined();
    expect(calls[1].headers["X-CSRF-Token"]).toBe("tok1");
    expect(calls[1].headers["Content-Type"]).toBe("application/json");
    expect(calls[1].body).toEqual({ name: "x" });
  });

  it("throws the server's message with the fields and rows it names", async () => {
    mockFetch({
      "POST /campaigns": [400, { error: { code: "invalid_argument", message: "invalid campaign", details: [{ field: "name", message: "required" }, { row: 3, field: "phone", message: "not a mobile number" }] } }],
    });
    const e = await api("POST", "/campaigns", {}).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(errorText(e)).toBe("invalid campaign: name required; #3 phone not a mobile number");
  });

  it("calls the hooks on 401 and 423, not for the login itself", async () => {
    const lost = vi.fn(), locked = vi.fn();
    setHooks({ unauthenticated: lost, locked });
    mockFetch({ "GET /me": [401, { error: { message: "no session" } }], "POST /auth/login": [401, { error: { message: "wrong password" } }], "GET /campaigns": [423, { error: { message: "locked" } }] });
    await expect(api("POST", "/auth/login", {})).rejects.toThrow("wrong password");
    expect(lost).not.toHaveBeenCalled();
    await expect(api("GET", "/me")).rejects.toThrow("no session");
    expect(lost).toHaveBeenCalledTimes(1);
    await expect(api("GET", "/campaigns")).rejects.toThrow("locked");
    expect(locked).toHaveBeenCalledTimes(1);
  });

  it("puts the fields a form shows under them, the rest in the alert", async () => {
    mockFetch({
      "PATCH /campaigns/1": [422, { error: { code: "invalid_argument", message: "invalid campaign", details: [
        { field: "message.attachments[1]", message: "no such document" }, { field: "message.attachments[2]", message: "too big" }, { field: "name", message: "taken" }] } }],
    });
    const e = await api("PATCH", "/campaigns/1", {}).catch((x) => x);
    const f = fieldErrors(e, ["message.attachments", "due_at"]);
    expect(f.fields).toEqual({ "message.attachments": "[1] no such document; [2] too big" });
    expect(f.rest).toBe("name taken");
    const all = fieldErrors(e, ["due_at"]);
    expect(all.fields).toEqual({});
    expect(all.rest).toBe(errorText(e));
    expect(fieldErrors(new Error("offline"), ["x"]).rest).toBe("offline");
  });
});
