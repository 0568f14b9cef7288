import { defineStore } from "pinia";
import { api } from "@/api/client";
import type { User } from "@/api/types";

// Data-leak guards (R10), set up for each signed-in user from GET /me/ui-policy:
// - a watermark naming the user and the time, tiled over every page
//   (the DLPWatermark component draws it from this store);
// - print and bulk copy only with the export permission; otherwise Ctrl+P
//   is refused and a print comes out blank (CSS on body.no-export);
// - copies out of customer data ([data-customer] regions) reported to the
//   audit log (where from and how much, never the text);
// - an idle screen lock kept on the server, so a reload stays locked.
export interface UIPolicy {
  idle_lock_seconds: number;
  screen_locked: boolean;
  watermark: boolean;
  can_export: boolean;
  copy_audit: boolean;
}

// A copy of more than one row, or this many characters, is a bulk copy.
export const BULK_CHARS = 200;

export function watermarkText(user: Pick<User, "display_name" | "username">, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const when = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
  return `${user.display_name || ""} ${user.username} ${when}`.trim();
}

// isBulkCopy: without export, a copy of several rows or a long text is refused.
export function isBulkCopy(rows: number, chars: number): boolean {
  return rows > 1 || chars > BULK_CHARS;
}

export const useDlp = defineStore("dlp", {
  state: () => ({
    policy: null as UIPolicy | null,
    locked: false,
    lastInput: Date.now(),
    notice: "", // a refused print or copy, shown for a few seconds
  }),
  actions: {
    // start reads the policy; false when the screen is locked already.
    async start(): Promise<boolean> {
      this.policy = await api<UIPolicy>("GET", "/me/ui-policy");
      document.body.classList.toggle("no-export", !this.policy.can_export);
      this.lastInput = Date.now();
      this.locked = this.policy.screen_locked;
      return !this.locked;
    },
    stop() {
      this.policy = null;
      this.locked = false;
      document.body.classList.remove("no-export", "locked");
    },
    touch(now = Date.now()) {
      this.lastInput = now;
    },
    // checkIdle locks the screen when the user was idle for the policy's time.
    checkIdle(now = Date.now()): boolean {
      const p = this.policy;
      if (!p || this.locked || p.idle_lock_seconds <= 0) return false;
      if (now - this.lastInput < p.idle_lock_seconds * 1000) return false;
      this.lock();
      return true;
    },
    async lock() {
      this.showLock();
      await api("POST", "/auth/screen-lock").catch(() => undefined);
    },
    showLock() {
      this.locked = true;
      document.body.classList.add("locked");
    },
    async unlock(password: string) {
      await api("POST", "/auth/unlock", { password });
      this.locked = false;
      this.lastInput = Date.now();
      document.body.classList.remove("locked");
    },
    report(action: string, target: string, count: number) {
      api("POST", "/audit/client-events", { action, target: String(target).slice(0, 128), count }).catch(() => undefined);
    },
    notify(msg: string) {
      this.notice = msg;
    },
  },
});
