// The REST client. The session token is an HttpOnly cookie set at login, so
// this code never holds it; every change carries the CSRF token the server
// put in a readable cookie (X-CSRF-Token).

export interface FieldError {
  row?: number;
  field: string;
  message: string;
  warning?: boolean;
  duplicate_of?: { row?: number; contact_id?: number; dnc_entry_id?: number };
}

export interface ErrorBody {
  code?: string;
  message: string;
  details?: FieldError[];
  existing?: any;
}

// ApiError is a refused request: the server's message, its code and the
// fields or rows it names.
export class ApiError extends Error {
  status: number;
  body: ErrorBody | null;
  constructor(status: number, body: ErrorBody | null, fallback: string) {
    super(body?.message || fallback);
    this.status = status;
    this.body = body;
  }
  // detailText names each field or row the server found wrong.
  get detailText(): string {
    return (this.body?.details || [])
      .map((d) => [d.row ? `#${d.row}` : "", d.field, d.message].filter(Boolean).join(" "))
      .join("; ");
  }
  get fullText(): string {
    const d = this.detailText;
    return d ? `${this.message}: ${d}` : this.message;
  }
}

export interface Page<T> {
  items: T[];
  total: number;
}

type Hook = (status: number) => void;
const hooks: { unauthenticated?: Hook; locked?: Hook } = {};

// onAuthLost is called on a 401 (not for the login itself), onLocked on a
// 423 (the screen is locked on the server).
export function setHooks(h: { unauthenticated?: Hook; locked?: Hook }) {
  Object.assign(hooks, h);
}

export function csrfToken(cookie = document.cookie): string {
  const m = cookie.match(/(?:^|;\s*)cc_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const opts: RequestInit = { method, headers, credentials: "same-origin" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) {
    opts.body = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const r = await fetch("/api/v1" + path, opts);
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    if (r.status === 401 && path !== "/auth/login") hooks.unauthenticated?.(401);
    if (r.status === 423) hooks.locked?.(423);
    throw new ApiError(r.status, data?.error ?? null, r.statusText || String(r.status));
  }
  return data as T;
}

// query builds "?a=1&b=2" from the set values.
export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.fullText;
  return e instanceof Error ? e.message : String(e);
}

// fieldErrors splits a refusal into the messages of the fields a form shows
// (by the field the server names; "message.attachments[1]" also counts for
// "message.attachments") and the text of the rest, for the form's alert.
export function fieldErrors(e: unknown, known: string[]): { fields: Record<string, string>; rest: string } {
  const fields: Record<string, string> = {};
  if (!(e instanceof ApiError)) return { fields, rest: errorText(e) };
  const other: string[] = [];
  for (const d of e.body?.details || []) {
    const name = known.find((k) => d.field === k || d.field.startsWith(k + "[") || d.field.startsWith(k + "."));
    if (name) fields[name] = fields[name] ? `${fields[name]}; ${detailLine(d, name)}` : detailLine(d, name);
    else other.push([d.row ? `#${d.row}` : "", d.field, d.message].filter(Boolean).join(" "));
  }
  const rest = Object.keys(fields).length ? other.join("; ") : e.fullText;
  return { fields, rest };
}

// detailLine is a field's message, with the element it names ([1]) kept.
function detailLine(d: FieldError, name: string): string {
  const sub = d.field.slice(name.length);
  return sub ? `${sub.replace(/^\./, "")} ${d.message}` : d.message;
}
