import { query } from "@/api/client";

// The reports page's helpers: column labels, cell text, the chart of a
// report's main measures and the download address. The server computes
// every figure and checks every choice (a grouping a report does not offer
// is its 422); these only present what it answers.

export type ReportName = "outbound" | "agents" | "inbound" | "ivr" | "campaigns" | "messages" | "workflow" | "attendance" | "qa";
export const REPORTS: ReportName[] = ["outbound", "agents", "inbound", "ivr", "campaigns", "messages", "workflow", "attendance", "qa"];
export const PERIODS = ["today", "yesterday", "last_7_days", "last_30_days", "this_month"];

// GROUPINGS are the groupings offered for each report (those the store's
// report accepts); the server refuses any other with its message.
export const GROUPINGS: Record<ReportName, string[]> = {
  outbound: ["campaign", "day", "hour"],
  agents: ["agent", "day", "hour"],
  inbound: ["group", "day", "hour"],
  ivr: ["flow", "campaign", "day", "hour"],
  campaigns: ["campaign"],
  messages: ["channel", "campaign", "day", "hour"],
  workflow: ["agent", "campaign", "day", "hour"],
  attendance: ["agent", "day"],
  qa: ["agent", "scorer", "campaign", "day", "hour"],
};

// MAIN are the measures charted per report: counts as bars, ratios as a
// line on the right axis (percent). A report not listed charts its first
// counts and ratios.
const MAIN: Partial<Record<ReportName, { counts: string[]; ratios: string[] }>> = {
  outbound: { counts: ["dials", "answered", "reached", "abandoned"], ratios: ["answer_rate", "abandon_rate"] },
  agents: { counts: ["calls"], ratios: ["occupancy"] },
  inbound: { counts: ["offered", "answered", "abandoned", "voicemail"], ratios: ["service_level", "abandon_rate"] },
  ivr: { counts: ["entries", "completed", "to_agents", "caller_hangup"], ratios: ["completion_rate"] },
  campaigns: { counts: ["contacts_total", "contacts_completed", "contacts_pending", "contacts_failed"], ratios: [] },
  messages: { counts: ["messages", "sent", "delivered", "failed"], ratios: ["delivery_rate"] },
  workflow: { counts: ["callbacks_booked", "callbacks_kept", "callbacks_missed"], ratios: ["kept_rate"] },
  attendance: { counts: ["late", "early_leave", "absent"], ratios: [] },
  qa: { counts: ["scores", "critical_failures", "appeals"], ratios: [] },
};

export interface ReportColumn {
  key: string;
  kind: "text" | "id" | "count" | "ratio" | "seconds" | "decimal" | "date" | "date_hour";
}
export interface Report {
  name: ReportName;
  from: string;
  to: string;
  group_by: string[] | null;
  columns: ReportColumn[];
  rows: Record<string, any>[];
  totals: Record<string, any>;
}

type T = (key: string, named?: Record<string, unknown>) => string;
type Te = (key: string) => boolean;

// columnLabel names a column like the report's file does: a report's own
// header first, then the shared one; break reasons and keys take a prefix.
export function columnLabel(t: T, te: Te, report: string, key: string, breakLabel: (code: string) => string = (c) => c): string {
  if (te(`report.col_${report}.${key}`)) return t(`report.col_${report}.${key}`);
  if (te(`report.col.${key}`)) return t(`report.col.${key}`);
  if (key.startsWith("dtmf.")) return t("report.prefix_dtmf") + key.slice(5);
  const b = key.match(/^break_(.+)_s$/);
  if (b) return t("report.prefix_break") + breakLabel(b[1]);
  return key;
}

// clock writes seconds as h:mm:ss, as the files do.
export function clock(sec: number): string {
  const n = Math.round(sec);
  return `${Math.floor(n / 3600)}:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}`;
}

// cellText is a value as the table shows it.
export function cellText(kind: ReportColumn["kind"], v: unknown): string {
  if (v === null || v === undefined || v === "") return "";
  if (typeof v !== "number") return String(v);
  switch (kind) {
    case "ratio":
      return `${(v * 100).toFixed(1)}%`;
    case "seconds":
      return clock(v);
    case "decimal":
      return v.toFixed(2);
    default:
      return String(v);
  }
}

// Names turns the ids of a grouping into names (campaigns, people, groups).
export interface Names {
  campaign(id: number): string;
  person(id: number): string;
  group(id: number): string;
  channel(c: string): string;
}

// DIM_KEYS is the row key of each grouping.
const DIM_KEYS: Record<string, string> = { campaign: "campaign_id", agent: "agent_id", scorer: "scorer_id", group: "group_id", day: "day", hour: "hour", channel: "channel", flow: "flow" };

// dimText is one grouping value of a row as a name.
export function dimText(key: string, v: unknown, names: Names): string {
  if (v === null || v === undefined) return "";
  switch (key) {
    case "campaign_id":
      return names.campaign(Number(v));
    case "agent_id":
    case "scorer_id":
      return names.person(Number(v));
    case "group_id":
      return names.group(Number(v));
    case "channel":
      return names.channel(String(v));
  }
  return String(v);
}

// rowLabel names a row by its groupings (the chart's category).
export function rowLabel(rep: Report, row: Record<string, any>, names: Names): string {
  const dims = (rep.group_by || []).map((d) => DIM_KEYS[d]).filter(Boolean);
  if (!dims.length) {
    // Reports with fixed rows (campaigns, attendance) name them by their first columns.
    if ("name" in row) return String(row.name);
    if ("display_name" in row) return [row.display_name || row.username, row.day].filter(Boolean).join(" ");
    return "";
  }
  return dims.map((k) => dimText(k, row[k], names)).join(" · ");
}

// chartMeasures are the counts and ratios charted for a report (those its
// columns have).
export function chartMeasures(rep: Report): { counts: string[]; ratios: string[] } {
  const has = new Set(rep.columns.map((c) => c.key));
  const main = MAIN[rep.name];
  if (main) return { counts: main.counts.filter((k) => has.has(k)), ratios: main.ratios.filter((k) => has.has(k)) };
  return {
    counts: rep.columns.filter((c) => c.kind === "count").slice(0, 4).map((c) => c.key),
    ratios: rep.columns.filter((c) => c.kind === "ratio").slice(0, 2).map((c) => c.key),
  };
}

// chartOption is the ECharts option of a report: its rows along the x axis
// (a line over time when grouped by day or hour with 8 rows or more, bars
// otherwise), counts on the left axis, ratios in percent on the right.
export function chartOption(rep: Report, label: (key: string) => string, names: Names, maxRows = 60) {
  const rows = rep.rows.slice(0, maxRows);
  const { counts, ratios } = chartMeasures(rep);
  // A few points read better as bars even over time.
  const overTime = (rep.group_by || []).length === 1 && ["day", "hour"].includes(rep.group_by![0]) && rows.length >= 8;
  const series = [
    ...counts.map((k) => ({ name: label(k), type: overTime ? "line" : "bar", barMaxWidth: 48, yAxisIndex: 0, data: rows.map((r) => r[k] ?? 0) })),
    ...ratios.map((k) => ({ name: label(k), type: "line", yAxisIndex: 1, showSymbol: true, symbolSize: 7, data: rows.map((r) => +((r[k] ?? 0) * 100).toFixed(1)) })),
  ];
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 48, right: ratios.length ? 48 : 16, bottom: 40, top: 36 },
    xAxis: { type: "category", data: rows.map((r) => rowLabel(rep, r, names)), axisLabel: { width: 110, overflow: "truncate" } },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, show: ratios.length > 0, splitLine: { show: false } },
    ],
    series,
  };
}

// ReportForm is what the page asks a report for.
export interface ReportForm {
  name: ReportName;
  range: [string, string] | null; // dates, both included
  group_by: string[];
  campaign_id: number[];
  agent_id: number[];
  group_id: number | "";
  flow: string;
  channel: string;
}

// nextDay is the day after a YYYY-MM-DD (to is exclusive on the server).
export function nextDay(ymd: string): string {
  const [y, m, d] = ymd.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

// reportParams are the query of GET /reports/{name}.
export function reportParams(f: ReportForm): Record<string, unknown> {
  return {
    from: f.range?.[0], to: f.range ? nextDay(f.range[1]) : undefined, group_by: f.group_by, campaign_id: f.campaign_id,
    agent_id: f.agent_id, group_id: f.group_id, flow: f.flow.trim(), channel: f.channel,
  };
}

// reportURL is the address of the report (format: its file in lang).
export function reportURL(f: ReportForm, format?: "xlsx" | "csv", lang?: string): string {
  return `/api/v1/reports/${f.name}` + query({ ...reportParams(f), format, lang });
}

// SavedReport is a custom report as the server keeps it.
export interface SavedReport {
  id: number;
  name: string;
  report: ReportName;
  group_by: string[] | null;
  measures: string[] | null;
  campaign_ids?: number[] | null;
  agent_ids?: number[] | null;
  group_id?: number;
  period: string;
  shared_with_group_id?: number;
  owner_id: number;
}

// SavedFields are what the save dialog edits ("" is no group, no share).
export interface SavedFields {
  name: string;
  report: ReportName;
  group_by: string[];
  measures: string[];
  campaign_ids: number[];
  agent_ids: number[];
  group_id: number | "";
  period: string;
  shared: number | "";
}

// newSavedFields saves the report the page shows.
export function newSavedFields(f: ReportForm): SavedFields {
  return {
    name: "", report: f.name, group_by: [...f.group_by], measures: [], campaign_ids: [...f.campaign_id], agent_ids: [...f.agent_id],
    group_id: f.group_id, period: "last_7_days", shared: "",
  };
}

// savedFields fills the dialog with a saved report, to change it.
export function savedFields(r: SavedReport): SavedFields {
  return {
    name: r.name, report: r.report, group_by: [...(r.group_by || [])], measures: [...(r.measures || [])],
    campaign_ids: [...(r.campaign_ids || [])], agent_ids: [...(r.agent_ids || [])], group_id: r.group_id || "", period: r.period,
    shared: r.shared_with_group_id || "",
  };
}

// savedBody is the body of POST /saved-reports, or of a PATCH when
// changing one: a PATCH keeps what it leaves out, so a group filter or a
// share taken away is sent as 0 (the server's "clear it").
export function savedBody(f: SavedFields, patch: boolean): Record<string, unknown> {
  const none = patch ? 0 : undefined;
  return {
    name: f.name, report: f.report, group_by: f.group_by, measures: f.measures, campaign_ids: f.campaign_ids, agent_ids: f.agent_ids,
    group_id: f.group_id || none, period: f.period, shared_with_group_id: f.shared || none,
  };
}

// mayChange tells whether the user may edit or delete a saved report: its
// owner or an admin (the server decides; a report only shared with the
// user is its 403).
export function mayChange(r: SavedReport, me: { id: number; role: string } | null | undefined): boolean {
  return !!me && (r.owner_id === me.id || me.role === "admin");
}
