import { ApiError, csrfToken } from "@/api/client";

// The export page's model: the chosen fields in order with their headers, and
// the request POST /exports takes (api/exports.go). An empty header is the
// server's default for the language chosen.

export const EXPORT_FIELDS = [
  "id", "name", "phone", "alt_phone", "id_number", "customer_type", "manager_email", "email", "status", "attempts",
  "last_result", "last_attempt_at", "next_attempt_at", "owner_agent_id", "block_reason", "created_at",
];
export const EXPORT_STATUSES = ["completed", "uncompleted", "maintenance", "blocked", "cancelled", "pending", "in_progress", "failed"];

export interface Column {
  field: string;
  header: string;
}

export interface ExportChoice {
  campaign_id: number | null;
  statuses: string[];
  columns: Column[];
  format: "xlsx" | "csv";
  lang: "zh-CN" | "en";
  phone_format: "national" | "e164";
}

export function emptyChoice(lang: "zh-CN" | "en" = "zh-CN"): ExportChoice {
  return { campaign_id: null, statuses: [], columns: ["name", "phone", "status", "attempts", "last_result"].map((field) => ({ field, header: "" })), format: "xlsx", lang, phone_format: "national" };
}

// move shifts column i up (-1) or down (+1); out of range leaves the order.
export function move(cols: Column[], i: number, dir: -1 | 1): Column[] {
  const j = i + dir;
  if (i < 0 || j < 0 || i >= cols.length || j >= cols.length) return cols;
  const out = [...cols];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

// addField appends a field not chosen yet; an attribute is "attributes.<key>".
export function addField(cols: Column[], field: string): Column[] {
  const f = field.trim();
  if (!f || cols.some((c) => c.field === f)) return cols;
  return [...cols, { field: f, header: "" }];
}

export function exportBody(c: ExportChoice): Record<string, unknown> {
  const body: Record<string, unknown> = {
    campaign_id: c.campaign_id, fields: c.columns.map((x) => x.field), format: c.format, lang: c.lang, phone_format: c.phone_format,
  };
  if (c.statuses.length) body.statuses = c.statuses;
  if (c.columns.some((x) => x.header.trim())) body.headers = c.columns.map((x) => x.header.trim());
  return body;
}

// templateBody is the choice saved as a template (fields, headers, statuses, format).
export function templateBody(name: string, c: ExportChoice): Record<string, unknown> {
  const { fields, headers, statuses, format } = exportBody(c) as any;
  return { name, fields, headers, statuses, format };
}

// fromTemplate applies a saved template to the choice.
export function fromTemplate(c: ExportChoice, t: { fields: string[]; headers: string[] | null; statuses: string[] | null; format: string }): ExportChoice {
  return {
    ...c,
    columns: t.fields.map((field, i) => ({ field, header: t.headers?.[i] || "" })),
    statuses: [...(t.statuses || [])],
    format: t.format === "csv" ? "csv" : "xlsx",
  };
}

// fileName reads the name from Content-Disposition.
export function fileName(disposition: string | null, fallback: string): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const m = disposition?.match(/filename="?([^";]+)"?/i);
  return m ? m[1] : fallback;
}

// download posts the export and hands the file to the browser; a refusal is
// an ApiError with the server's message and fields.
export async function download(body: Record<string, unknown>): Promise<string> {
  const r = await fetch("/api/v1/exports", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() }, body: JSON.stringify(body),
  });
  if (!r.ok) {
    const data = await r.json().catch(() => null);
    throw new ApiError(r.status, data?.error ?? null, r.statusText || String(r.status));
  }
  const blob = await r.blob();
  const name = fileName(r.headers.get("Content-Disposition"), `export.${body.format || "xlsx"}`);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
