import { defineStore } from "pinia";
import { api, ApiError, query, type FieldError, type Page } from "@/api/client";
import { fromServer, toServer, errorsByNode, type Flow, type FlowNode, type Point } from "./flow";

export interface Script {
  id: number;
  title: string;
  campaign_kinds: string[] | null;
  version: number;
  published_version: number;
  created_at: string;
  updated_at: string;
}
export interface ScriptView extends Script {
  viewed_version: number;
  start: string;
  nodes: FlowNode[];
  layout?: Record<string, Point> | null;
}
export interface ScriptVersion {
  id: number;
  version: number;
  title: string;
  note?: string;
  created_by: number;
  created_at: string;
}
export interface Feedback {
  id: number;
  script_id: number;
  version: number;
  node_id: string;
  agent_id: number;
  comment: string;
  status: string;
  answer?: string;
  answered_at?: string;
  created_at: string;
}
export interface AnswerReport {
  campaign_id: number;
  sessions: number;
  questions: { script_id: number; version: number; node_id: string; text: string; answer_type: string; answers: number; values: { value: string; label: string; count: number; by_outcome: Record<string, number> }[] }[];
  outcomes: { outcome: string; disposition: string; count: number }[];
}

// The script list with its keyword search (Chinese substring on the server).
export const useScripts = defineStore("scripts", {
  state: () => ({ items: [] as Script[], total: 0, page: 1, pageSize: 20, q: "", loading: false }),
  actions: {
    async load() {
      this.loading = true;
      try {
        const r = await api<Page<Script>>("GET", "/scripts" + query({ q: this.q.trim(), page: this.page, page_size: this.pageSize }));
        this.items = r.items;
        this.total = r.total;
      } finally {
        this.loading = false;
      }
    },
    // importFile uploads a script file; a refusal keeps the server's
    // per-row errors (ApiError.body.details) for the dialog to list.
    async importFile(file: File, opts: { title?: string; encoding?: string; sheet?: string } = {}): Promise<ScriptView> {
      const fd = new FormData();
      fd.append("file", file);
      for (const [k, v] of Object.entries(opts)) if (v) fd.append(k, v);
      const sc = await api<ScriptView>("POST", "/scripts/import", fd);
      await this.load();
      return sc;
    },
    async remove(id: number) {
      await api("DELETE", `/scripts/${id}`);
      await this.load();
    },
  },
});

// useDesigner holds the script open in the designer: its flow, the
// selected node, the errors the last save met (by node), the versions.
export const useDesigner = defineStore("designer", {
  state: () => ({
    id: 0,
    title: "",
    version: 0,
    publishedVersion: 0,
    viewedVersion: 0,
    flow: { start: "", nodes: [], layout: {} } as Flow,
    selected: "",
    errors: {} as Record<string, string[]>,
    versions: [] as ScriptVersion[],
    dirty: false,
    saving: false,
  }),
  actions: {
    reset() {
      this.$reset();
    },
    show(sc: ScriptView) {
      this.id = sc.id;
      this.title = sc.title;
      this.version = sc.version;
      this.publishedVersion = sc.published_version;
      this.viewedVersion = sc.viewed_version;
      this.flow = fromServer(sc);
      this.errors = {};
      this.dirty = false;
      if (!this.flow.nodes.some((n) => n.id === this.selected)) this.selected = "";
    },
    async open(id: number, version = 0) {
      this.show(await api<ScriptView>("GET", `/scripts/${id}` + query({ version: version || undefined })));
      await this.loadVersions();
    },
    async loadVersions() {
      if (!this.id) return;
      this.versions = (await api<Page<ScriptVersion>>("GET", `/scripts/${this.id}/versions`)).items;
    },
    // save stores the next version (a new script: version 1). A 400's
    // details go onto the nodes they name; the error is thrown on.
    async save(opts: { publish?: boolean; note?: string } = {}): Promise<ScriptView> {
      this.saving = true;
      this.errors = {};
      const body = { title: this.title, ...toServer(this.flow), note: opts.note || "", publish: !!opts.publish };
      try {
        const sc = this.id
          ? await api<ScriptView>("PATCH", `/scripts/${this.id}`, { ...body, base_version: this.version })
          : await api<ScriptView>("POST", "/scripts", body);
        const selected = this.selected;
        this.show(sc);
        this.selected = selected;
        await this.loadVersions();
        return sc;
      } catch (e) {
        if (e instanceof ApiError && e.body?.details?.length) this.errors = errorsByNode(this.flow, e.body.details as FieldError[], body.nodes);
        throw e;
      } finally {
        this.saving = false;
      }
    },
    async publish(version = 0) {
      const sc = await api<ScriptView>("POST", `/scripts/${this.id}/publish`, { version });
      this.publishedVersion = sc.published_version;
      return sc;
    },
    changed() {
      this.dirty = true;
    },
  },
});

// Feedback: managers see agents' flags on nodes, answer and resolve them.
export const useFeedback = defineStore("scriptFeedback", {
  state: () => ({ items: [] as Feedback[], status: "open", loading: false }),
  actions: {
    async load() {
      this.loading = true;
      try {
        this.items = (await api<Page<Feedback>>("GET", "/script-feedback" + query({ status: this.status }))).items;
      } finally {
        this.loading = false;
      }
    },
    async answer(id: number, answer: string, status: "answered" | "resolved") {
      const f = await api<Feedback>("PATCH", `/script-feedback/${id}`, { answer, status });
      const i = this.items.findIndex((x) => x.id === id);
      if (i >= 0) {
        if (this.status && f.status !== this.status) this.items.splice(i, 1);
        else this.items[i] = f;
      }
      return f;
    },
  },
});

// reportRows flattens the answer report into one table row per answer,
// with a column per outcome.
export function reportRows(r: AnswerReport | null): { outcomes: string[]; rows: Record<string, string | number>[] } {
  if (!r) return { outcomes: [], rows: [] };
  const outcomes = [...new Set(r.questions.flatMap((q) => q.values.flatMap((v) => Object.keys(v.by_outcome || {}))))].sort();
  const rows = r.questions.flatMap((q) =>
    q.values.map((v) => {
      const row: Record<string, string | number> = { node: `${q.node_id} (v${q.version})`, text: q.text, answer: v.label || v.value, count: v.count };
      for (const o of outcomes) row["o:" + o] = v.by_outcome?.[o] || 0;
      return row;
    }),
  );
  return { outcomes, rows };
}

export function reportURL(campaignID: number, xlsx = false): string {
  return `/api/v1/campaigns/${campaignID}/script-answers` + (xlsx ? "?format=xlsx" : "");
}
