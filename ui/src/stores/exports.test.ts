import { describe, it, expect, vi, afterEach } from "vitest";
import { addField, emptyChoice, exportBody, fileName, fromTemplate, move, templateBody, download } from "./exports";
import { ApiError } from "@/api/client";

afterEach(() => vi.unstubAllGlobals());
const cols = (...f: string[]) => f.map((field) => ({ field, header: "" }));

describe("export choice", () => {
  it("moves columns up and down, not past the ends", () => {
    const c = cols("a", "b", "c");
    expect(move(c, 1, -1).map((x) => x.field)).toEqual(["b", "a", "c"]);
    expect(move(c, 1, 1).map((x) => x.field)).toEqual(["a", "c", "b"]);
    expect(move(c, 0, -1)).toBe(c);
    expect(move(c, 2, 1)).toBe(c);
  });

  it("adds a field once, attributes by key", () => {
    const c = addField(addField(cols("name"), "phone"), " attributes.贷款金额 ");
    expect(c.map((x) => x.field)).toEqual(["name", "phone", "attributes.贷款金额"]);
    expect(addField(c, "phone")).toBe(c);
    expect(addField(c, " ")).toBe(c);
  });

  it("sends headers only when one is given, one per field", () => {
    const c = { ...emptyChoice(), campaign_id: 4, columns: cols("name", "phone") };
    expect(exportBody(c)).toEqual({ campaign_id: 4, fields: ["name", "phone"], format: "xlsx", lang: "zh-CN", phone_format: "national" });
    c.columns[1].header = " 手机 ";
    c.statuses = ["completed"];
    expect(exportBody(c)).toMatchObject({ headers: ["", "手机"], statuses: ["completed"] });
  });

  it("saves and applies templates", () => {
    const c = { ...emptyChoice(), campaign_id: 4, columns: [{ field: "name", header: "客户" }, { field: "phone", header: "" }], format: "csv" as const };
    const body = templateBody("回访模板", c);
    expect(body).toEqual({ name: "回访模板", fields: ["name", "phone"], headers: ["客户", ""], statuses: undefined, format: "csv" });
    const back = fromTemplate(emptyChoice(), { fields: ["phone", "name"], headers: null, statuses: ["blocked"], format: "csv" });
    expect([back.columns, back.statuses, back.format]).toEqual([cols("phone", "name"), ["blocked"], "csv"]);
  });

  it("reads the file name the server gives", () => {
    expect(fileName('attachment; filename="campaign-4-20261207-031500.csv"', "x")).toBe("campaign-4-20261207-031500.csv");
    expect(fileName(null, "export.xlsx")).toBe("export.xlsx");
  });
});

describe("download", () => {
  it("shows the server's refusal with its field", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ error: { code: "invalid", message: "invalid request", details: [{ field: "campaign_id", message: "is required" }] } }), { status: 400 })));
    const e = await download({ fields: ["name"] }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.fullText).toBe("invalid request: campaign_id is required");
  });

  it("posts with the CSRF token and saves the file under the server's name", async () => {
    document.cookie = "cc_csrf=tok123";
    const fetch = vi.fn(async (_u: string, _o: RequestInit) => new Response("姓名,联系电话\n", { status: 200, headers: { "Content-Disposition": 'attachment; filename="campaign-4.csv"' } }));
    vi.stubGlobal("fetch", fetch);
    URL.createObjectURL = vi.fn(() => "blob:x");
    URL.revokeObjectURL = vi.fn();
    expect(await download({ campaign_id: 4, fields: ["name"], format: "csv" })).toBe("campaign-4.csv");
    expect((fetch.mock.calls[0][1].headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok123");
  });
});
