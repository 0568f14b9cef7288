import { defineStore } from "pinia";
import { api, query, type Page } from "@/api/client";
import type { Campaign, CampaignMessage } from "@/api/types";

export const KINDS = ["notification", "collection", "survey", "confirmation", "sales"];
export const MEDIA = ["voice", "ivr", "sms", "email", "fax"];
export const DIAL_MODES = ["progressive", "preview", "predictive", "broadcast"];
export const STATUSES = ["draft", "running", "paused", "stopped", "completed"];

export type RunAction = "start" | "pause" | "stop";

export interface CampaignForm {
  name: string;
  kind: string;
  media: string;
  dial_mode: string;
  priority: number;
  strategy_id: number | null;
  group_id: number | null;
  caller_ids: string[];
  gateway: string;
  max_abandon_rate: number;
  description: string;
  // message: an email campaign's subject, text and attachments (the other
  // fields of a campaign's message are kept as they are).
  message: CampaignMessage & { attachments: number[] };
}

export function emptyForm(): CampaignForm {
  return { name: "", kind: "notification", media: "voice", dial_mode: "progressive", priority: 5, strategy_id: null, group_id: null, caller_ids: [], gateway: "", max_abandon_rate: 0.03, description: "",
    message: { subject: "", text: "", attachments: [] } };
}

export function formOf(c: Campaign): CampaignForm {
  return {
    name: c.name, kind: c.kind, media: c.media, dial_mode: c.dial_mode, priority: c.priority, strategy_id: c.strategy_id,
    group_id: c.group_id, caller_ids: [...(c.caller_ids || [])], gateway: c.gateway, max_abandon_rate: c.max_abandon_rate, description: c.description,
    message: { subject: "", text: "", ...(c.message || {}), attachments: [...(c.message?.attachments || [])] },
  };
}

// runActions says which buttons a campaign in this status shows; the server
// still refuses (409) what its status does not allow.
export function runActions(status: string): RunAction[] {
  switch (status) {
    case "draft":
      return ["start"];
    case "running":
      return ["pause", "stop"];
    case "paused":
      return ["start", "stop"];
    default:
      return [];
  }
}

export const useCampaigns = defineStore("campaigns", {
  state: () => ({
    items: [] as Campaign[],
    total: 0,
    page: 1,
    pageSize: 20,
    q: "",
    status: "",
    loading: false,
  }),
  actions: {
    async load() {
      this.loading = true;
      try {
        const r = await api<Page<Campaign>>("GET", "/campaigns" + query({ page: this.page, page_size: this.pageSize, q: this.q, status: this.status }));
        this.items = r.items;
        this.total = r.total;
      } finally {
        this.loading = false;
      }
    },
    async save(form: CampaignForm, id?: number): Promise<Campaign> {
      const body: Record<string, unknown> = { ...form, caller_ids: form.caller_ids.map((s) => s.trim()).filter(Boolean) };
      // The message replaces the campaign's whole message: sent only for
      // email campaigns, whose message this form edits.
      if (form.media !== "email") delete body.message;
      const c = id ? await api<Campaign>("PATCH", `/campaigns/${id}`, body) : await api<Campaign>("POST", "/campaigns", body);
      await this.load();
      return c;
    },
    // run starts, pauses or stops a campaign; the list shows the new status.
    async run(id: number, action: RunAction): Promise<string> {
      const r = await api<{ id: number; status: string }>("POST", `/campaigns/${id}/${action}`);
      const c = this.items.find((x) => x.id === id);
      if (c) c.status = r.status;
      return r.status;
    },
  },
});
