import type { RouteRecordRaw } from "vue-router";
import { TrendCharts, Stamp, Microphone, Cpu } from "@element-plus/icons-vue";

// Reports, quality assurance, voicemail and the DLP workstations (issue 13),
// kept in their own file so that other pages' additions merge without
// conflicts. Labels are under "nav." (i18n/insight.*.ts). meta.perm hides a
// page from roles without it (a list: any of them); the server still decides
// every request.
export const insightPages: RouteRecordRaw[] = [
  { path: "reports", name: "reports", component: () => import("@/pages/Reports.vue"), meta: { menu: "nav.reports", icon: "TrendCharts", perm: "reports" } },
  { path: "qa", name: "qa", component: () => import("@/pages/Qa.vue"), meta: { menu: "nav.qa", icon: "Stamp", perm: ["score", "agent_desk"] } },
  { path: "voicemail", name: "voicemail", component: () => import("@/pages/Voicemail.vue"), meta: { menu: "nav.voicemail", icon: "Microphone", perm: ["agent_desk", "monitor"] } },
  { path: "workstations", name: "workstations", component: () => import("@/pages/Workstations.vue"), meta: { menu: "nav.workstations", icon: "Cpu", perm: "settings_manage" } },
];

export const insightIcons: Record<string, unknown> = { TrendCharts, Stamp, Microphone, Cpu };
