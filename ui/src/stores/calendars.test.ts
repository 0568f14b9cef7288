import { describe, it, expect } from "vitest";
import { dayInfo, windowText, weekday, strategyFormOf, emptyStrategy, type Calendar, type Holiday } from "./calendars";

const cal: Calendar = {
  id: 1, name: "标准", timezone: "Asia/Shanghai", use_official_holidays: true,
  windows: [
    { day_kind: "workday", customer_type: "", start: "13:30", end: "20:00" },
    { day_kind: "workday", customer_type: "", start: "09:00", end: "12:00" },
    { day_kind: "workday", customer_type: "vip", start: "10:00", end: "18:00" },
    { day_kind: "weekend", customer_type: "", start: "10:00", end: "16:00" },
    { day_kind: "date:2026-12-24", customer_type: "", start: "09:00", end: "11:00" },
  ],
  dates: [{ date: "2026-12-31", kind: "holiday" }, { date: "2026-10-01", kind: "workday" }],
};
const official: Holiday[] = [
  { id: 1, date: "2026-10-01", name: "国庆节", kind: "holiday" },
  { id: 2, date: "2026-10-02", name: "国庆节", kind: "holiday" },
  { id: 3, date: "2026-10-10", name: "国庆节调休", kind: "workday" },
];

describe("dayInfo", () => {
  it.each([
    ["2026-12-07", "workday", false, "week", ""], // Monday
    ["2026-12-05", "weekend", false, "week", ""], // Saturday
    ["2026-10-02", "holiday", false, "official", "国庆节"],
    ["2026-10-10", "workday", true, "official", "国庆节调休"], // a Saturday worked
    ["2026-12-31", "holiday", false, "calendar", ""], // the calendar's own date
    ["2026-10-01", "workday", false, "calendar", ""], // the calendar's date beats the official list
  ])("%s is %s (make-up %s) from %s", (ymd, kind, makeup, source, name) => {
    const d = dayInfo(cal, official, ymd);
    expect([d.kind, d.makeup, d.source, d.name]).toEqual([kind, makeup, source, name]);
  });

  it("ignores the official list when the calendar does not follow it", () => {
    expect(dayInfo({ ...cal, use_official_holidays: false }, official, "2026-10-02").kind).toBe("workday");
  });

  it("gives the day kind's windows, or the date's own", () => {
    expect(windowText(dayInfo(cal, official, "2026-12-07").windows)).toBe("09:00–12:00, 13:30–20:00; vip: 10:00–18:00");
    expect(windowText(dayInfo(cal, official, "2026-12-24").windows)).toBe("09:00–11:00");
    expect(dayInfo(cal, official, "2026-10-02").windows).toEqual([]);
  });

  it("reads weekdays without time zones", () => {
    expect([weekday("2026-12-06"), weekday("2026-12-07"), weekday("2026-02-28")]).toEqual([0, 1, 6]);
  });
});

describe("strategy form", () => {
  it("takes a stored strategy's fields, defaults for the missing", () => {
    const f = strategyFormOf({ id: 3, name: "催收", calendar_id: 2, max_attempts: 5, phone_order: ["alt_phone"], version: 4, period_start: null });
    expect(f).toEqual({ ...emptyStrategy(), name: "催收", calendar_id: 2, max_attempts: 5, phone_order: ["alt_phone"] });
  });
});
