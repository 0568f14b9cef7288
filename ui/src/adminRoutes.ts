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
  { path: "messages", name: "messages", component: () => import("@/pages/Messages.vue"), meta: { menu: "nav.messages", icon: "ChatDotRound" } },
  { path: "shifts", name: "shifts", component: () => import("@/pages/Shifts.vue"), meta: { menu: "nav.shifts", icon: "Timer", perm: "shift_manage" } },
  { path: "outbound", name: "outbound", component: () => import("@/pages/Outbound.vue"), meta: { menu: "nav.outbound", icon: "Message", perm: "settings_manage" } },
  { path: "exports", name: "exports", component: () => import("@/pages/Exports.vue"), meta: { menu: "nav.exports", icon: "Download", perm: "export" } },
];

// adminTopPages are full-screen pages outside the menu layout; their menu
// entry opens them.
export const adminTopPages: RouteRecordRaw[] = [
  { path: "/wallboard", name: "wallboard", component: () => import("@/pages/Wallboard.vue"), meta: { menu: "nav.wallboard", icon: "DataBoard", perm: "monitor" } },
];

export const adminIcons: Record<string, unknown> = { Monitor, DataBoard, Calendar, AlarmClock, Headset, Download, ChatDotRound, Timer, Message };
