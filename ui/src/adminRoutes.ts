import type { RouteRecordRaw } from "vue-router";
import { Monitor, DataBoard, Calendar, AlarmClock, Headset, Download, ChatDotRound, Timer, Message } from "@element-plus/icons-vue";

// The supervisor and administration pages (issue 13), kept apart from
// router.ts so that other pages' additions merge without conflicts. Menu
// labels are under "nav." (i18n/admin.*.ts); meta.perm hides a page from
// roles without it, the server still decides every request.
export const adminPages: RouteRecordRaw[] = [
  { path: "monitor", name: "monitor", component: () => import("@/pages/Monitor.vue"), meta: { menu: "nav.monitor", icon: "Monitor", perm: "monitor" } },
  { path: "strategies", name: "strategies", component: () => import("@/pages/Strategies.vue"), meta: { menu: "nav.strategies", icon: "Calendar", perm: "campaign_view" } },
  { path: "callbacks", name: "callbacks", component: () => import("@/pages/Callbacks.vue"), meta: { menu: "nav.callbacks", icon: "AlarmClock", perm: "agent_desk" } },
  { path: "calls", name: "calls", component: () => import("@/pages/Calls.vue"), meta: { menu: "nav.calls", icon: "Headset" } },
];

// adminTopPages are full-screen pages outside the menu layout; their menu
// entry opens them.
export const adminTopPages: RouteRecordRaw[] = [
  { path: "/wallboard", name: "wallboard", component: () => import("@/pages/Wallboard.vue"), meta: { menu: "nav.wallboard", icon: "DataBoard", perm: "monitor" } },
];

export const adminIcons: Record<string, unknown> = { Monitor, DataBoard, Calendar, AlarmClock, Headset, Download, ChatDotRound, Timer, Message };
