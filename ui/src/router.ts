import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { useAuth } from "@/stores/auth";
import { adminPages, adminTopPages } from "@/adminRoutes";
import { scriptPages } from "@/scriptRoutes";
import { insightPages } from "@/insightRoutes";

// Each page is its own chunk (route-level code splitting). meta.perm hides a
// page from roles without it; the server still decides every request.
export const pages: RouteRecordRaw[] = [
  { path: "dashboard", name: "dashboard", component: () => import("@/pages/Dashboard.vue"), meta: { menu: "menu.dashboard", icon: "DataLine", perm: "campaign_view" } },
  { path: "campaigns", name: "campaigns", component: () => import("@/pages/Campaigns.vue"), meta: { menu: "menu.campaigns", icon: "Phone", perm: "campaign_view" } },
  { path: "campaigns/:id", name: "campaign", component: () => import("@/pages/CampaignDetail.vue"), meta: { perm: "campaign_view", parent: "campaigns" } },
  { path: "blacklist", name: "blacklist", component: () => import("@/pages/Blacklist.vue"), meta: { menu: "menu.blacklist", icon: "CircleClose", perm: "campaign_view" } },
  { path: "users", name: "users", component: () => import("@/pages/Users.vue"), meta: { menu: "menu.users", icon: "User", perm: "users_manage" } },
  { path: "desk", name: "desk", component: () => import("@/pages/Desk.vue"), meta: { menu: "desk.menu", icon: "Headset", perm: "agent_desk" } },
  { path: "audit", name: "audit", component: () => import("@/pages/Audit.vue"), meta: { menu: "menu.audit", icon: "Document", perm: "audit_read" } },
  ...adminPages,
  ...insightPages,
  ...scriptPages,
];

export const routes: RouteRecordRaw[] = [
  { path: "/login", name: "login", component: () => import("@/pages/Login.vue"), meta: { public: true } },
  { path: "/", component: () => import("@/components/AppLayout.vue"), children: [{ path: "", redirect: { name: "dashboard" } }, ...pages] },
  ...adminTopPages,
  { path: "/:rest(.*)*", redirect: { name: "dashboard" } },
];

// permitted says whether a page's meta.perm lets the user in: one
// permission, or a list of which any one will do.
export function permitted(perm: unknown, can: (perm?: string) => boolean): boolean {
  return Array.isArray(perm) ? perm.some((p) => can(p)) : can(perm as string | undefined);
}

// menuItems are the pages of the menu the user may open.
export function menuItems(can: (perm?: string) => boolean) {
  return [...pages, ...adminTopPages].filter((p) => p.meta?.menu && permitted(p.meta.perm, can));
}

export function makeRouter() {
  const router = createRouter({ history: createWebHistory("/app/"), routes });
  router.beforeEach(async (to) => {
    const auth = useAuth();
    if (!auth.checked) await auth.fetchMe();
    if (to.meta.public) return auth.signedIn && to.name === "login" ? { name: "dashboard" } : true;
    if (!auth.signedIn) return { name: "login", query: to.fullPath !== "/" ? { next: to.fullPath } : {} };
    if (!permitted(to.meta.perm, (p) => auth.can(p))) {
      const first = menuItems((p) => auth.can(p))[0];
      return first && first.name !== to.name ? { name: first.name } : true;
    }
    return true;
  });
  return router;
}
