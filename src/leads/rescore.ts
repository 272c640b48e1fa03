import type { ContactStore } from '../contacts/store.js';
import type { Logger } from '../platform/logging/logger.js';
import { conversationKey } from '../whatsapp/normalize.js';
import type { LeadDoc } from './models.js';
import type { LeadActivitySources } from './ports.js';
import { combinedScore, demographicScore, engagementScore, keywordIntentScorer, qualificationFor, shouldPromoteToMql, workflowScore } from './scoring/index.js';
import { PROMOTE_TO_MQL_AT, type ComponentScore, type ComponentType, type EngagementSignals, type IntentScorer, type ScoreType, type UserMessage } from './scoring/types.js';
import type { LeadStore, StoredScore } from './store.js';

/** Seed 003: engagement looks back 30 days. */
export const LOOKBACK_DAYS = 30;
/** Most messages a scoring run reads (newest first): enough for 30 days of any human conversation. */
const MAX_MESSAGES = 2_000;
const TAP_TYPES = new Set(['button_reply', 'list_reply', 'quick_reply']);

export interface Rescore {
  /**
   * Recomputes every score of the lead from what Puente sees now, stores the ones that changed
   * (with their factors), and applies seed 003's auto-qualification: `qualification_status` from
   * the combined score and `threshold`, and lead → mql at 75 or more. Null when the lead is gone.
   */
  run(orgId: string, leadId: string, options?: { threshold?: number; manual?: { score: number; reason: string; by: string } }): Promise<LeadDoc | null>;
}

/** The WhatsApp side of a contact, in the engagement and intent scores' terms. */
async function whatsAppInputs(sources: LeadActivitySources, orgId: string, waId: string, now: Date): Promise<{ engagement: EngagementSignals; messages: UserMessage[] } | null> {
  const since = new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000);
  const { ever, messages } = await sources.activityOf(waId, since, MAX_MESSAGES);
  if (!ever) return null;
  // Only what happened on the organization's own numbers counts.
  const numbers = [...new Set(messages.map((m) => m.phoneNumberId))];
  const owners = await Promise.all(numbers.map(async (n) => [n, await sources.orgForNumber(n)] as const));
  const ours = new Set(owners.filter(([, org]) => org === orgId).map(([n]) => n));
  const mine = messages.filter((m) => ours.has(m.phoneNumberId));
  const inbound = mine.filter((m) => m.direction === 'inbound');
  const handovers = await sources.countResolvedSince([...ours].map((n) => conversationKey(n, waId)), since);
  return {
    engagement: {
      replies: inbound.length,
      reads: mine.filter((m) => m.direction === 'outbound' && m.status === 'read').length,
      taps: inbound.filter((m) => TAP_TYPES.has(m.type)).length,
      handovers_completed: handovers,
      lookback_days: LOOKBACK_DAYS,
    },
    messages: inbound
      .filter((m) => m.type === 'text' && typeof m.text === 'string' && m.text.trim() !== '')
      .map((m) => ({ ...(m.wamid ? { id: m.wamid } : {}), text: m.text as string, at: m.at }))
      .reverse(),
  };
}

/** Whether a new score says something the stored one did not (a rerun with the same inputs stores nothing). */
function differs(next: ComponentScore, previous: StoredScore | undefined): boolean {
  if (!previous) return true;
  return next.score !== previous.score || next.reason !== previous.reason || JSON.stringify(next.factors) !== JSON.stringify(previous.factors) || next.confidence !== previous.confidence;
}

export function createRescore(deps: { leads: LeadStore; contacts: ContactStore; sources: LeadActivitySources; intent?: IntentScorer; logger: Logger; now?: () => Date }): Rescore {
  const intent = deps.intent ?? keywordIntentScorer;
  const now = deps.now ?? (() => new Date());
  return {
    async run(orgId, leadId, options = {}) {
      const at = now();
      const [lead, latest, settings] = await Promise.all([deps.leads.get(orgId, leadId), deps.leads.latestScores(orgId, leadId), deps.leads.settings(orgId)]);
      if (!lead || !latest) return null;
      const contact = await deps.contacts.get(orgId, lead.contact_id);
      const whatsapp = contact ? await whatsAppInputs(deps.sources, orgId, contact.phone, at) : null;

      const components: Partial<Record<ComponentType, ComponentScore>> = {};
      if (whatsapp) {
        components.engagement = engagementScore(whatsapp.engagement);
        const judged = intent.score(whatsapp.messages);
        if (judged) components.ai_intent = judged;
      }
      const demographic = demographicScore(settings.demographic_rules, {
        qualification_data: lead.qualification_data,
        custom_fields: lead.custom_fields,
        contact: contact ? { company: contact.company ?? null, tags: contact.tags, locale: contact.locale ?? null, custom_fields: contact.custom_fields } : {},
      });
      if (demographic) components.demographic = demographic;
      const workflow = workflowScore(lead.qualification_data);
      if (workflow) components.workflow = workflow;

      const changed: StoredScore[] = [];
      if (options.manual) {
        const manual: StoredScore = { type: 'manual', score: Math.round(options.manual.score), reason: options.manual.reason, factors: { score_value: options.manual.score }, scored_at: at, by: options.manual.by };
        components.manual = manual;
        changed.push(manual);
      } else if (latest.manual) components.manual = latest.manual;

      const combined = combinedScore(components, settings.weights);
      for (const type of ['ai_intent', 'engagement', 'demographic', 'workflow'] as const satisfies readonly ScoreType[]) {
        const score = components[type];
        if (score && differs(score, latest[type])) changed.push({ ...score, scored_at: at });
      }
      if (differs(combined, latest.combined)) changed.push({ ...combined, scored_at: at });

      const qualification_status = qualificationFor(combined.score, options.threshold);
      const promote = shouldPromoteToMql(combined.score, lead.stage) ? { to: 'mql' as const, reason: `Combined score ${combined.score} reached ${PROMOTE_TO_MQL_AT} (auto-qualification)` } : undefined;
      deps.logger.debug({ orgId, leadId, score: combined.score, changed: changed.map((s) => s.type) }, 'lead rescored');
      return deps.leads.applyScores(orgId, leadId, { changed, score: combined.score, qualification_status, ...(promote ? { promote } : {}), at });
    },
  };
}
