import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { useImportWizard, mappingJSON, progressPercent } from "./importWizard";
import { mockFetch } from "@/test/fetch";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => vi.unstubAllGlobals());

const preview = {
  header: ["客户姓名", "手机号码", "备注"],
  mapping: { columns: [{ index: 0, header: "客户姓名", field: "name" }, { index: 1, header: "手机号码", field: "phone" }, { index: 2, header: "备注", field: "attribute", attribute: "备注" }] },
  rows: [{ row: 2, cells: ["张三", "13800000000", ""], valid: true, errors: null }, { row: 3, cells: ["李四", "123", ""], valid: false, errors: [{ row: 3, field: "phone", message: "not a mobile number" }] }],
};

describe("mappingJSON", () => {
  it("maps column numbers to fields, attributes by key", () => {
    expect(JSON.parse(mappingJSON(preview.mapping.columns))).toEqual({ "1": "name", "2": "phone", "3": "attributes.备注" });
    expect(JSON.parse(mappingJSON([{ index: 4, header: "x", field: "attribute" }]))).toEqual({ "5": "attribute" });
  });
});

describe("progressPercent", () => {
  const j = (o: object) => ({ total: 0, imported: 0, duplicates: 0, blocked: 0, rejected: 0, status: "running", ...o });
  it.each([
    [j({}), 0],
    [j({ total: 200, imported: 50, rejected: 10, duplicates: 20, blocked: 20 }), 50],
    [j({ total: 10, imported: 10 }), 99], // still running
    [j({ status: "done", total: 10, imported: 3 }), 100],
    [j({ status: "failed" }), 100],
  ])("%j → %i", (job, want) => expect(progressPercent(job)).toBe(want));
});

describe("import wizard", () => {
  it("previews, imports and polls the job to its errors", async () => {
    let polls = 0;
    const calls = mockFetch({
      "POST /campaigns/7/imports/preview": [200, preview],
      "POST /campaigns/7/imports": [202, { id: 11, status: "queued", total: 0, imported: 0, duplicates: 0, blocked: 0, rejected: 0, errors: null }],
      "GET /imports/11": () => {
        polls++;
        return polls < 3
          ? [200, { id: 11, status: "running", total: 4, imported: polls, duplicates: 0, blocked: 0, rejected: 0, errors: null }]
          : [200, { id: 11, status: "done", total: 4, imported: 2, duplicates: 1, blocked: 0, rejected: 1, errors: [{ row: 3, field: "phone", message: "not a mobile number" }, { row: 5, field: "phone", message: "duplicate", duplicate_of: { row: 2 } }] }];
      },
    });
    const w = useImportWizard();
    w.reset(7);
    w.pollMs = 1;
    w.file = new File(["x"], "list.xlsx");
    w.sheet = "Sheet2";
    await w.loadPreview();
    expect(w.step).toBe(1);
    expect(w.invalidRows).toBe(1);
    const sent = calls[0].body as FormData;
    expect(sent.get("sheet")).toBe("Sheet2");
    expect(sent.get("mapping")).toBeNull(); // the first preview detects the mapping

    w.columns[2].field = "ignore";
    await w.startImport();
    const form = calls[1].body as FormData;
    expect(JSON.parse(String(form.get("mapping")))).toEqual({ "1": "name", "2": "phone", "3": "ignore" });
    expect((form.get("file") as File).name).toBe("list.xlsx");
    await vi.waitFor(() => expect(w.step).toBe(3));
    expect(polls).toBe(3);
    expect(w.rowErrors.map((e) => e.row)).toEqual([3, 5]);
  });

  it("a refused preview stays on the upload step", async () => {
    mockFetch({ "POST /campaigns/7/imports/preview": [400, { error: { message: "file: unsupported format" } }] });
    const w = useImportWizard();
    w.reset(7);
    w.file = new File(["x"], "a.pdf");
    await expect(w.loadPreview()).rejects.toThrow("unsupported format");
    expect(w.step).toBe(0);
    expect(w.busy).toBe(false);
  });
});
