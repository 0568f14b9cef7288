import { defineStore } from "pinia";
import { api, type Page } from "@/api/client";

interface Named {
  id: number;
  name: string;
}
interface BreakReason {
  code: string;
  label_zh: string;
  label_en: string;
}
interface Person {
  id: number;
  username: string;
  display_name: string;
  role: string;
}

// Names for the ids the live and history pages show (groups, campaigns,
// people), loaded once per page visit; a list the role may not read stays
// empty and the page shows the id.
export const useLookups = defineStore("lookups", {
  state: () => ({ groups: [] as Named[], campaigns: [] as Named[], people: [] as Person[], breakReasons: [] as BreakReason[] }),
  actions: {
    async loadGroups() {
      this.groups = await api<Page<Named>>("GET", "/groups?page_size=500").then((r) => r.items).catch(() => []);
    },
    async loadCampaigns() {
      this.campaigns = await api<Page<Named>>("GET", "/campaigns?page_size=500").then((r) => r.items).catch(() => []);
    },
    async loadPeople() {
      this.people = await api<Page<Person>>("GET", "/directory?page_size=500").then((r) => r.items).catch(() => []);
    },
    async loadBreakReasons() {
      this.breakReasons = await api<Page<BreakReason>>("GET", "/break-reasons").then((r) => r.items).catch(() => []);
    },
    // breakReason labels a break reason code in the language shown.
    breakReason(code: string | undefined, lang: string): string {
      if (!code) return "";
      const r = this.breakReasons.find((x) => x.code === code);
      return r ? (lang === "en" ? r.label_en : r.label_zh) || code : code;
    },
    group(id?: number | null): string {
      if (!id) return "";
      return this.groups.find((g) => g.id === id)?.name || `#${id}`;
    },
    campaign(id?: number | null): string {
      if (!id) return "";
      return this.campaigns.find((c) => c.id === id)?.name || `#${id}`;
    },
    person(id?: number | null): string {
      if (!id) return "";
      const p = this.people.find((x) => x.id === id);
      return p ? p.display_name || p.username : `#${id}`;
    },
  },
});
