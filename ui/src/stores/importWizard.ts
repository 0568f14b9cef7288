import { defineStore } from "pinia";
import { api } from "@/api/client";
import type { FieldError } from "@/api/client";
import type { ImportJob, MappingColumn, Preview } from "@/api/types";

// The contact import wizard: upload (file, sheet, encoding), mapping with a
// validated preview, progress of the background job, and the errors by row.
// The server validates everything; the wizard only shows what it says.
export const FIELDS = ["name", "phone", "alt_phone", "id_number", "customer_type", "manager_email", "email", "attribute", "ignore"];
export const ENCODINGS = ["utf-8", "gbk", "gb18030"];
export type Step = 0 | 1 | 2 | 3;

// mappingJSON is the form's mapping: column number (1-based) → field, an
// attribute column as attributes.<its key>.
export function mappingJSON(cols: MappingColumn[]): string {
  const m: Record<string, string> = {};
  for (const c of cols) m[String(c.index + 1)] = c.field === "attribute" && c.attribute ? `attributes.${c.attribute}` : c.field;
  return JSON.stringify(m);
}

export function finished(status: string): boolean {
  return status !== "queued" && status !== "running";
}

// progressPercent: rows handled so far of the total (0 while unknown).
export function progressPercent(j: Pick<ImportJob, "total" | "imported" | "duplicates" | "blocked" | "rejected" | "status">): number {
  if (finished(j.status)) return 100;
  if (!j.total) return 0;
  return Math.min(99, Math.floor(((j.imported + j.duplicates + j.blocked + j.rejected) * 100) / j.total));
}

export const useImportWizard = defineStore("importWizard", {
  state: () => ({
    campaignId: 0,
    step: 0 as Step,
    file: null as File | null,
    sheet: "",
    encoding: "",
    force: false,
    preview: null as Preview | null,
    columns: [] as MappingColumn[],
    job: null as ImportJob | null,
    busy: false,
    pollMs: 1000,
    timer: 0 as ReturnType<typeof setTimeout> | 0,
  }),
  getters: {
    invalidRows: (s) => (s.preview?.rows || []).filter((r) => !r.valid).length,
    rowErrors: (s): FieldError[] => s.job?.errors || [],
  },
  actions: {
    reset(campaignId: number) {
      this.stopPolling();
      this.$reset();
      this.campaignId = campaignId;
    },
    form(withMapping: boolean): FormData {
      const f = new FormData();
      if (this.file) f.append("file", this.file, this.file.name);
      if (this.sheet) f.append("sheet", this.sheet);
      if (this.encoding) f.append("encoding", this.encoding);
      if (withMapping && this.columns.length) f.append("mapping", mappingJSON(this.columns));
      return f;
    },
    // loadPreview sends the file (and, once chosen, the mapping) for a preview.
    async loadPreview(withMapping = false) {
      this.busy = true;
      try {
        const p = await api<Preview>("POST", `/campaigns/${this.campaignId}/imports/preview`, this.form(withMapping));
        this.preview = p;
        this.columns = p.mapping.columns.map((c) => ({ ...c }));
        this.step = 1;
      } finally {
        this.busy = false;
      }
    },
    async startImport() {
      this.busy = true;
      try {
        const f = this.form(true);
        if (this.force) f.append("force", "true");
        this.job = await api<ImportJob>("POST", `/campaigns/${this.campaignId}/imports`, f);
        this.step = 2;
        await this.poll();
      } finally {
        this.busy = false;
      }
    },
    async poll() {
      if (!this.job) return;
      this.job = await api<ImportJob>("GET", `/imports/${this.job.id}`);
      if (finished(this.job.status)) {
        this.step = 3;
        return;
      }
      this.timer = setTimeout(() => this.poll().catch(() => undefined), this.pollMs);
    },
    async cancel() {
      if (this.job) await api("POST", `/imports/${this.job.id}/cancel`);
    },
    stopPolling() {
      if (this.timer) clearTimeout(this.timer);
      this.timer = 0;
    },
  },
});
