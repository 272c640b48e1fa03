import type { InboundObserver, StatusObserver } from '../conversations/ports.js';
import type { LeadActivitySources } from './ports.js';
import type { ScoreQueue } from './score-queue.js';
import type { LeadStore } from './store.js';

/**
 * What makes a lead's score change on WhatsApp: the user writing (replies, taps, words of intent)
 * and reading what was sent to them. Each is told to the scorer as a debounced rescore of the
 * user's leads in the number's organization, after the turn — never on the reply path.
 */
export function leadActivityObservers(deps: { leads: LeadStore; scores: ScoreQueue; orgForNumber: LeadActivitySources['orgForNumber'] }): { inbound: InboundObserver; status: StatusObserver } {
  async function touch(phoneNumberId: string, waId: string): Promise<void> {
    const orgId = await deps.orgForNumber(phoneNumberId);
    const ids = await deps.leads.idsForPhone(orgId, waId);
    await deps.scores.schedule(orgId, ids);
  }
  return {
    inbound: (event) => touch(event.phoneNumberId, event.waId),
    status: async (status) => {
      if (status.status === 'read' && status.recipientId) await touch(status.phoneNumberId, status.recipientId);
    },
  };
}
