import { api, query, type Page } from "@/api/client";

// The roster as a grid: agents down, days across, each cell the agent's
// plan for the day (a shift, a day off, or nothing). Cells are chosen one by
// one (click) or as a rectangle (shift-click from the first); the plan is
// sent for the chosen cells in one POST /roster, and the server checks every
// cell (a bad one is named by its row, nothing changes).

export interface RosterEntry {
  agent_id: number;
  date: string;
  shift_id: number | null;
  day_off: boolean;
  shift_name?: string;
  start?: string;
  end?: string;
  note?: string;
  username: string;
  display_name: string;
}

export interface GridAgent {
  id: number;
  name: string;
}

export interface CellRef {
  agent: number; // agent id
  date: string; // YYYY-MM-DD
}

export type Plan = { kind: "shift"; shift_id: number } | { kind: "day_off" } | { kind: "clear" };

// MAX_DAYS bounds the days a grid shows at once (the API takes a year).
export const MAX_DAYS = 62;

// days lists the dates from..to (YYYY-MM-DD, inclusive), at most MAX_DAYS.
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(from + "T00:00:00Z");
  const end = new Date(to + "T00:00:00Z");
  if (isNaN(d.getTime()) || isNaN(end.getTime())) return out;
  while (d <= end && out.length < MAX_DAYS) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

// weekday is 1 (Monday) to 7 (Sunday), as the roster API counts.
export function weekday(date: string): number {
  const w = new Date(date + "T00:00:00Z").getUTCDay();
  return w === 0 ? 7 : w;
}

export const cellKey = (agent: number, date: string) => `${agent}|${date}`;

// gridAgents are the rows: the people given (agents, supervisors) and
// everyone the roster names, by name.
export function gridAgents(people: { id: number; username: string; display_name: string; role?: string }[], entries: RosterEntry[]): GridAgent[] {
  const rows = new Map<number, GridAgent>();
  for (const p of people) rows.set(p.id, { id: p.id, name: p.display_name || p.username });
  for (const e of entries) if (!rows.has(e.agent_id)) rows.set(e.agent_id, { id: e.agent_id, name: e.display_name || e.username });
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, "zh-CN") || a.id - b.id);
}

// byCell indexes entries by agent and date.
export function byCell(entries: RosterEntry[]): Map<string, RosterEntry> {
  return new Map(entries.map((e) => [cellKey(e.agent_id, e.date), e]));
}

// rectangle is every cell between two corners (rows and columns in the
// order shown).
export function rectangle(agents: GridAgent[], dates: string[], a: CellRef, b: CellRef): CellRef[] {
  const r = [agents.findIndex((x) => x.id === a.agent), agents.findIndex((x) => x.id === b.agent)].sort((x, y) => x - y);
  const c = [dates.indexOf(a.date), dates.indexOf(b.date)].sort((x, y) => x - y);
  if (r[0] < 0 || c[0] < 0) return [];
  const out: CellRef[] = [];
  for (let i = r[0]; i <= r[1]; i++) for (let j = c[0]; j <= c[1]; j++) out.push({ agent: agents[i].id, date: dates[j] });
  return out;
}

// cellsBody is POST /roster's body setting the plan on the cells.
export function cellsBody(cells: CellRef[], plan: Plan, note = "") {
  return {
    entries: cells.map((c) => ({
      agent_id: c.agent, date: c.date, note,
      shift_id: plan.kind === "shift" ? plan.shift_id : null,
      day_off: plan.kind === "day_off",
    })),
  };
}

// loadRoster reads the whole roster of the dates (page by page).
export async function loadRoster(from: string, to: string, groupId?: number | ""): Promise<RosterEntry[]> {
  const out: RosterEntry[] = [];
  for (let page = 1; page <= 50; page++) {
    const r = await api<Page<RosterEntry>>("GET", "/roster" + query({ from, to, group_id: groupId, page, page_size: 500 }));
    out.push(...r.items);
    if (out.length >= r.total || !r.items.length) break;
  }
  return out;
}

// setCells sends the plan for the cells; it answers how many changed.
export async function setCells(cells: CellRef[], plan: Plan, note = ""): Promise<number> {
  const r = await api<{ changed: number }>("POST", "/roster", cellsBody(cells, plan, note));
  return r.changed;
}
