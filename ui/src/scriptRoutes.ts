import type { RouteRecordRaw } from "vue-router";
import { Tickets, Collection, Search } from "@element-plus/icons-vue";

// The script and knowledge-base pages (issues 12, 13), kept apart from
// router.ts so that other pages' additions merge without conflicts. Menu
// labels are in i18n/scripts.*.ts; meta.perm hides a page from roles
// without it, the server still decides every request.
export const scriptPages: RouteRecordRaw[] = [
  { path: "scripts", name: "scripts", component: () => import("@/pages/Scripts.vue"), meta: { menu: "scripts.menu", icon: "Tickets", perm: "script_edit" } },
  { path: "scripts/:id", name: "script", component: () => import("@/pages/ScriptDesigner.vue"), meta: { perm: "script_edit", parent: "scripts" } },
  { path: "kb", name: "kb", component: () => import("@/pages/KnowledgeBase.vue"), meta: { menu: "kb.menu", icon: "Collection", perm: "kb_manage" } },
  { path: "kb-search", name: "kb-search", component: () => import("@/pages/KbSearch.vue"), meta: { menu: "kb.menu_search", icon: "Search", perm: "agent_desk" } },
];

export const scriptIcons: Record<string, unknown> = { Tickets, Collection, Search };
