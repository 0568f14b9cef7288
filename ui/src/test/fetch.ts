import { vi } from "vitest";

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: any;
}

// mockFetch answers requests from a table "METHOD /path" → [status, body]
// (a function may compute it) and records every call.
export function mockFetch(table: Record<string, [number, any] | ((c: Call) => [number, any])>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string, opts: RequestInit = {}) => {
    const method = opts.method || "GET";
    const path = String(url).replace(/^\/api\/v1/, "").split("?")[0];
    const call: Call = {
      method, url: String(url), headers: (opts.headers || {}) as Record<string, string>,
      body: typeof opts.body === "string" ? JSON.parse(opts.body) : opts.body,
    };
    calls.push(call);
    const entry = table[`${method} ${path}`];
    const [status, body] = typeof entry === "function" ? entry(call) : entry || [404, { error: { code: "not_found", message: "no route " + path } }];
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}
