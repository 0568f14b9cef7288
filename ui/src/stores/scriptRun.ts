import { defineStore } from "pinia";
import { api } from "@/api/client";
import type { ScriptNode, ScriptSessionView } from "@/api/types";

export const PAUSE_REASONS = ["service", "complaint", "other"];

// The script session of the agent's call (POST/GET /me/script-sessions):
// the server keeps the answers and the position, so a reload finds the
// session as it was. "Back" shows an earlier node; answering it again
// drops the answers after it (the server's rule).
export const useScriptRun = defineStore("scriptRun", {
  state: () => ({
    view: null as ScriptSessionView | null,
    viewing: "" as string, // an earlier node shown by "back"; "" = the current one
    error: "",
  }),
  getters: {
    byId: (s): Record<string, ScriptNode> => Object.fromEntries((s.view?.nodes || []).map((n) => [n.id, n])),
    // node is the node on screen: the current one or the one gone back to.
    node(s): ScriptNode | null {
      if (!s.view) return null;
      const id = s.viewing || s.view.current;
      return this.byId[id] || s.view.node || null;
    },
    paused: (s) => s.view?.status === "paused",
    finished: (s) => s.view?.status === "finished",
    canBack(s): boolean {
      const path = s.view?.path || [];
      return s.viewing ? path.indexOf(s.viewing) > 0 : path.length > 0;
    },
    // answered lists the answers with their questions, in the flow's order.
    answered(s): { node_id: string; question: string; value: string; label: string }[] {
      if (!s.view) return [];
      const order = s.view.path || [];
      return [...s.view.answers]
        .sort((a, b) => order.indexOf(a.node_id) - order.indexOf(b.node_id))
        .map((a) => {
          const n = this.byId[a.node_id];
          const labels = (n?.options || []).filter((o) => a.value.split(",").includes(o.value)).map((o) => o.label);
          return { node_id: a.node_id, question: n?.text || a.node_id, value: a.value, label: labels.join("、") || a.value };
        });
    },
    // answerOf is the answer given to the node on screen, when going back.
    answerOf(s): string {
      const id = this.node?.id;
      return s.view?.answers.find((a) => a.node_id === id)?.value ?? "";
    },
  },
  actions: {
    reset() {
      this.view = null;
      this.viewing = "";
      this.error = "";
    },
    // start runs the call's script: a new session on the published version,
    // or the one the call already has (after a reload).
    async start(callUUID: string) {
      if (this.view?.call_uuid === callUUID) return;
      this.reset();
      this.view = await api<ScriptSessionView>("POST", "/me/script-sessions", { call_uuid: callUUID });
    },
    async change(path: string, body: unknown = {}) {
      if (!this.view) return;
      this.view = await api<ScriptSessionView>("POST", `/me/script-sessions/${encodeURIComponent(this.view.call_uuid)}${path}`, body);
    },
    async answer(value = "") {
      const id = this.node?.id;
      if (!id) return;
      await this.change("/answers", { node_id: id, value });
      this.viewing = "";
    },
    back() {
      const path = this.view?.path || [];
      if (!path.length) return;
      const i = this.viewing ? path.indexOf(this.viewing) : path.length;
      if (i > 0) this.viewing = path[i - 1];
    },
    // forward leaves an earlier node unchanged and shows the current one.
    forward() {
      this.viewing = "";
    },
    async pause(reason: string, note = "") {
      await this.change("/pause", { reason, note });
    },
    async resume() {
      await this.change("/resume");
    },
  },
});
