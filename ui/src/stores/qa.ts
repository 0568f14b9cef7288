// The QA page's helpers. The server weighs the items, applies the critical
// rule and the level rule; the page only collects what the scorer gives.

export interface ScorecardItem {
  key: string;
  label: string;
  weight: number;
  max_score: number;
  critical?: boolean;
}
export interface Scorecard {
  id: number;
  name: string;
  items: ScorecardItem[];
}
export interface QAComment {
  at_ms: number;
  text: string;
}

// atText writes a position in the recording as m:ss.
export function atText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// startScores are a scorecard's items at their full score, the usual start.
export function startScores(sc: Scorecard | undefined): Record<string, number> {
  return Object.fromEntries((sc?.items || []).map((it) => [it.key, it.max_score]));
}

// addComment puts a comment in time order (the recording's order).
export function addComment(list: QAComment[], c: QAComment): QAComment[] {
  return [...list, { at_ms: Math.round(c.at_ms), text: c.text.trim() }].sort((a, b) => a.at_ms - b.at_ms);
}

// scoreBody is POST /qa/scores's body.
export function scoreBody(scorecardId: number, callId: number, scores: Record<string, number>, comments: QAComment[]) {
  return { scorecard_id: scorecardId, call_id: callId, items: Object.entries(scores).map(([key, score]) => ({ key, score })), comments };
}

// itemKey makes a scorecard item's key from its label when none is given:
// ascii letters and digits, else item_<n>.
export function itemKey(label: string, n: number): string {
  const k = label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 32);
  return k || `item_${n}`;
}
