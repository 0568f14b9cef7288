import { defineStore } from "pinia";
import { api, csrfToken } from "@/api/client";
import type { User } from "@/api/types";

// The signed-in user, as GET /me says, and whether the server runs the
// simulated switch (GET /healthz). Permissions only hide what a role may
// not do: the server decides.
export const useAuth = defineStore("auth", {
  state: () => ({
    me: null as User | null,
    simulated: false,
    checked: false, // GET /me answered (signed in or not)
  }),
  getters: {
    signedIn: (s) => s.me !== null,
    permissions: (s) => new Set(s.me?.permissions ?? []),
  },
  actions: {
    can(perm: string | undefined): boolean {
      return !perm || this.permissions.has(perm);
    },
    async loadHealth() {
      try {
        const r = await fetch("/healthz");
        this.simulated = !!(await r.json()).simulated;
      } catch {
        this.simulated = false;
      }
    },
    // fetchMe asks who is signed in; a 401 leaves me empty. Without the
    // session's CSRF cookie nobody is signed in: no request (and no 401 in
    // the browser's console on the login page).
    async fetchMe(): Promise<User | null> {
      if (!csrfToken()) {
        this.me = null;
        this.checked = true;
        return null;
      }
      try {
        this.me = await api<User>("GET", "/me");
      } catch {
        this.me = null;
      }
      this.checked = true;
      return this.me;
    },
    async login(username: string, password: string) {
      await api("POST", "/auth/login", { username, password });
      return this.fetchMe();
    },
    async logout() {
      await api("POST", "/auth/logout").catch(() => undefined);
      this.me = null;
    },
    // lost forgets the user after the server said the session is gone.
    lost() {
      this.me = null;
    },
  },
});
