import { describe, it, expect } from "vitest";
import { i18n } from "@/i18n";
import {
  cellText, chartOption, clock, columnLabel, mayChange, newSavedFields, reportURL, rowLabel, savedBody, savedFields,
  type Names, type Report, type ReportForm, type SavedReport,
} from "./reports";

const t = i18n.global.t as any;
const te = i18n.global.te as any;
const names: Names = { campaign: (id) => `活动${id}`, person: (id) => `人${id}`, group: (id) => `组${id}`, channel: (c) => c.toUpperCase() };
const outbound: Report = {
  name: "outbound", from: "2026-12-01T00:00:00+08:00", to: "2026-12-03T00:00:00+08:00", group_by: ["day"],
  columns: [{ key: "day", kind: "date" }, { key: "dials", kind: "count" }, { key: "answered", kind: "count" }, { key: "answer_rate", kind: "ratio" }, { key: "talk_s", kind: "seconds" }],
  rows: [{ day: "2026-12-01", dials: 10, answered: 4, answer_rate: 0.4, talk_s: 3725 }, { day: "2026-12-02", dials: 5, answered: 5, answer_rate: 1, talk_s: 60 }],
  totals: { dials: 15, answered: 9, answer_rate: 0.6, talk_s: 3785 },
};

describe("report labels and cells", () => {
  it.each([
    ["outbound", "answered", "接通"],
    ["inbound", "answered", "接听"], // the inbound report's own header
    ["ivr", "dtmf.1", "按键 1"],
    ["agents", "break_lunch_s", "休息-午餐"],
    ["outbound", "something_new", "something_new"],
  ])("%s %s is %s", (report, key, want) => {
    expect(columnLabel(t, te, report, key, (c) => (c === "lunch" ? "午餐" : c))).toBe(want);
  });

  it("writes ratios, durations and decimals as the files do", () => {
    expect([cellText("ratio", 0.4567), cellText("seconds", 3725), cellText("decimal", 2), cellText("count", 7), cellText("count", null)]).toEqual(["45.7%", "1:02:05", "2.00", "7", ""]);
    expect(clock(59.6)).toBe("0:01:00");
  });

  it("names a row by its groupings", () => {
    const rep = { ...outbound, group_by: ["campaign", "channel"] };
    expect(rowLabel(rep, { campaign_id: 3, channel: "sms" }, names)).toBe("活动3 · SMS");
    expect(rowLabel({ ...outbound, name: "campaigns", group_by: null }, { campaign_id: 3, name: "秋季回访" }, names)).toBe("秋季回访");
  });
});

describe("chartOption", () => {
  const label = (k: string) => columnLabel(t, te, "outbound", k);
  it("draws counts over time as lines and ratios in percent on the right axis", () => {
    const days = Array.from({ length: 10 }, (_, i) => ({ day: `2026-12-${String(i + 1).padStart(2, "0")}`, dials: i, answered: i, answer_rate: i / 10 }));
    const o = chartOption({ ...outbound, rows: days }, label, names);
    expect(o.xAxis.data.slice(0, 2)).toEqual(["2026-12-01", "2026-12-02"]);
    expect(o.series.map((s) => [s.name, s.type, s.yAxisIndex])).toEqual([["拨打次数", "line", 0], ["接通", "line", 0], ["接通率", "line", 1]]);
    expect(o.series[2].data.slice(0, 3)).toEqual([0, 10, 20]);
    expect(o.yAxis[1].show).toBe(true);
  });
  it("draws a few days as bars", () => {
    const o = chartOption(outbound, label, names);
    expect(o.series.map((s) => s.type)).toEqual(["bar", "bar", "line"]);
    expect(o.series[2].data).toEqual([40, 100]);
  });
  it("draws bars for groups that are not times, and only the rows it can show", () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ campaign_id: i + 1, dials: i }));
    const o = chartOption({ ...outbound, group_by: ["campaign"], columns: [{ key: "campaign_id", kind: "id" }, { key: "dials", kind: "count" }], rows }, label, names);
    expect(o.series).toHaveLength(1);
    expect(o.series[0].type).toBe("bar");
    expect(o.xAxis.data).toHaveLength(60);
    expect(o.yAxis[1].show).toBe(false);
  });
});

it("reportURL asks for the file with the form's choices, the end day included", () => {
  const f: ReportForm = { name: "messages", range: ["2026-12-01", "2026-12-31"], group_by: ["channel", "day"], campaign_id: [3, 4], agent_id: [], group_id: "", flow: " ", channel: "sms" };
  expect(reportURL(f, "xlsx", "en")).toBe("/api/v1/reports/messages?from=2026-12-01&to=2027-01-01&group_by=channel%2Cday&campaign_id=3%2C4&channel=sms&format=xlsx&lang=en");
});

describe("saved report fields", () => {
  const saved: SavedReport = {
    id: 4, name: "每周外呼", report: "outbound", group_by: ["campaign"], measures: ["dials"], campaign_ids: [3], group_id: 2,
    period: "last_7_days", shared_with_group_id: 5, owner_id: 7,
  };

  it("fills the dialog with a saved report and sends a share or group taken away as 0 on a PATCH", () => {
    const f = savedFields(saved);
    expect(f).toEqual({ name: "每周外呼", report: "outbound", group_by: ["campaign"], measures: ["dials"], campaign_ids: [3], agent_ids: [],
      group_id: 2, period: "last_7_days", shared: 5 });
    f.name = "近7天外呼";
    f.shared = "";
    f.group_id = "";
    expect(savedBody(f, true)).toEqual({ name: "近7天外呼", report: "outbound", group_by: ["campaign"], measures: ["dials"], campaign_ids: [3],
      agent_ids: [], group_id: 0, period: "last_7_days", shared_with_group_id: 0 });
    // A create leaves them out (0 would name no group).
    expect(savedBody(f, false)).toMatchObject({ group_id: undefined, shared_with_group_id: undefined });
    // The saved report itself is not changed by the dialog.
    expect(saved.campaign_ids).toEqual([3]);
  });

  it("starts a new one from the report shown", () => {
    const form: ReportForm = { name: "agents", range: null, group_by: ["agent"], campaign_id: [], agent_id: [7], group_id: "", flow: "", channel: "" };
    const f = newSavedFields(form);
    expect(f).toMatchObject({ name: "", report: "agents", group_by: ["agent"], agent_ids: [7], period: "last_7_days", shared: "" });
    f.group_by.push("day");
    expect(form.group_by).toEqual(["agent"]);
  });

  it.each([
    [{ id: 7, role: "supervisor" }, true],
    [{ id: 8, role: "qa" }, false],
    [{ id: 1, role: "admin" }, true],
    [null, false],
  ])("user %o may change it: %s", (me, want) => {
    expect(mayChange(saved, me)).toBe(want);
  });
});
