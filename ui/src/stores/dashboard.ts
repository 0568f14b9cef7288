import type { Campaign, CampaignStats } from "@/api/types";

// summarize adds the campaigns' figures up for the dashboard's tiles and
// charts; the abandonment rate is abandoned / answered by a person over 24 h.
export function summarize(campaigns: Campaign[], stats: CampaignStats[]) {
  const byStatus: Record<string, number> = {};
  let contacts = 0, attempts = 0, answered = 0, abandoned = 0, human24 = 0, abandoned24 = 0;
  for (const s of stats) {
    contacts += s.contacts_total;
    attempts += s.attempts;
    answered += s.answered;
    abandoned += s.abandoned;
    human24 += (s as any).answered_human_24h || 0;
    abandoned24 += (s as any).abandoned_24h || 0;
    for (const [k, v] of Object.entries(s.contacts || {})) byStatus[k] = (byStatus[k] || 0) + v;
  }
  return {
    running: campaigns.filter((c) => c.status === "running").length,
    contacts, attempts, answered, abandoned, byStatus,
    abandonRate: human24 ? abandoned24 / human24 : 0,
  };
}
