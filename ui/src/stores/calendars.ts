// The calendar month view's rules, as store.Calendar decides them on the
// server (store/calendar.go dayKind and spans): a date listed in the calendar
// beats an official holiday or make-up workday (when the calendar follows
// them), which beats Saturday/Sunday = weekend; a "date:YYYY-MM-DD" window
// beats the windows of the day's kind.

export interface CalendarWindow {
  day_kind: string;
  customer_type: string;
  start: string;
  end: string;
}
export interface CalendarDate {
  date: string;
  kind: string;
}
export interface Calendar {
  id: number;
  name: string;
  timezone: string;
  use_official_holidays: boolean;
  windows: CalendarWindow[] | null;
  dates: CalendarDate[] | null;
  version?: number;
}
export interface Holiday {
  id: number;
  date: string;
  name: string;
  kind: string;
}

export const DAY_KINDS = ["workday", "weekend", "holiday"];
export const DATE_KINDS = ["holiday", "workday"];

export interface DayInfo {
  kind: string; // workday, weekend or holiday
  makeup: boolean; // a workday on a Saturday or Sunday (调休上班)
  name: string; // the official holiday's name
  source: "calendar" | "official" | "week";
  windows: CalendarWindow[];
}

// weekday of a YYYY-MM-DD date (0 = Sunday), without time zones.
export function weekday(ymd: string): number {
  const [y, m, d] = ymd.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function dayInfo(cal: Calendar, official: Holiday[], ymd: string): DayInfo {
  const we = [0, 6].includes(weekday(ymd));
  const own = (cal.dates || []).find((d) => d.date === ymd);
  const off = cal.use_official_holidays ? official.find((h) => h.date === ymd) : undefined;
  let kind = we ? "weekend" : "workday";
  let source: DayInfo["source"] = "week";
  if (own) {
    kind = own.kind;
    source = "calendar";
  } else if (off) {
    kind = off.kind;
    source = "official";
  }
  const wins = cal.windows || [];
  const dated = wins.filter((w) => w.day_kind === "date:" + ymd);
  const windows = dated.length ? dated : wins.filter((w) => w.day_kind === kind);
  return { kind, makeup: kind === "workday" && we, name: source === "official" ? off!.name : "", source, windows };
}

// windowText writes a day's windows as "09:00–12:00, 13:30–20:00", each
// customer type's after its name.
export function windowText(ws: CalendarWindow[]): string {
  const byType = new Map<string, string[]>();
  for (const w of [...ws].sort((a, b) => a.start.localeCompare(b.start))) {
    const k = w.customer_type || "";
    byType.set(k, [...(byType.get(k) || []), `${w.start}–${w.end}`]);
  }
  return [...byType.entries()].map(([k, v]) => (k ? `${k}: ` : "") + v.join(", ")).join("; ");
}

export function emptyCalendar(): Omit<Calendar, "id"> {
  return {
    name: "", timezone: "Asia/Shanghai", use_official_holidays: true,
    windows: [{ day_kind: "workday", customer_type: "", start: "09:00", end: "12:00" }, { day_kind: "workday", customer_type: "", start: "13:30", end: "20:00" }],
    dates: [],
  };
}

export interface StrategyForm {
  name: string;
  calendar_id: number | null;
  phone_order: string[];
  min_attempts: number;
  max_attempts: number;
  max_attempts_per_contact: number;
  min_retry_interval_s: number;
  max_retry_interval_s: number;
  batch_size: number;
  batch_interval_s: number;
  period_start: string;
  period_end: string;
  min_ring_s: number;
  caller_id_rotation: string;
  caller_id_daily_limit: number;
}

export function emptyStrategy(): StrategyForm {
  return {
    name: "", calendar_id: null, phone_order: ["phone", "alt_phone"], min_attempts: 1, max_attempts: 3, max_attempts_per_contact: 0,
    min_retry_interval_s: 600, max_retry_interval_s: 7200, batch_size: 50, batch_interval_s: 60, period_start: "", period_end: "",
    min_ring_s: 15, caller_id_rotation: "round_robin", caller_id_daily_limit: 0,
  };
}

export function strategyFormOf(s: any): StrategyForm {
  const f = emptyStrategy();
  for (const k of Object.keys(f) as (keyof StrategyForm)[]) if (s[k] !== undefined && s[k] !== null) (f as any)[k] = Array.isArray(s[k]) ? [...s[k]] : s[k];
  return f;
}
