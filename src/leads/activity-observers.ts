import type { InboundObserver, StatusObserver } from '../conversations/ports.js';
import type { LeadActivitySources } from './ports.js';
import type { ScoreQueue } from './score-queue.js';
import type { LeadStore } from './store.js';

/** How long touches are gathered before their leads are looked up (they are off the reply path). */
export const TOUCH_BATCH_MS = 20;

/**
 * What makes a lead's score change on WhatsApp: the user writing (replies, taps, words of intent)
 * and reading what was sent to them. Each is told to the scorer as a debounced rescore of the
 * user's leads in the number's organization, after the turn — never on the reply path.
 *
 * Most users who write have no lead, and looking that up once per message was a MongoDB query per
 * exchange: touches are gathered for {@link TOUCH_BATCH_MS} and looked up with one query per
 * organization. Each observer call resolves once its batch is scheduled (or rejects with it).
 */
export function leadActivityObservers(deps: { leads: LeadStore; scores: ScoreQueue; orgForNumber: LeadActivitySources['orgForNumber'] }, batchMs = TOUCH_BATCH_MS): { inbound: InboundObserver; status: StatusObserver } {
  let pending: { orgId: string; phone: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    timer = undefined;
    const batch = pending;
    pending = [];
    const byOrg = new Map<string, Set<string>>();
    for (const { orgId, phone } of batch) (byOrg.get(orgId) ?? byOrg.set(orgId, new Set()).get(orgId)!).add(phone);
    const outcomes = new Map<string, Promise<void>>();
    for (const [orgId, phones] of byOrg) outcomes.set(orgId, (async () => deps.scores.schedule(orgId, await deps.leads.idsForPhones(orgId, [...phones])))());
    for (const touch of batch) (outcomes.get(touch.orgId) as Promise<void>).then(touch.resolve, touch.reject);
  }

  async function touch(phoneNumberId: string, waId: string): Promise<void> {
    const orgId = await deps.orgForNumber(phoneNumberId);
    return new Promise<void>((resolve, reject) => {
      pending.push({ orgId, phone: waId, resolve, reject });
      timer ??= setTimeout(() => void flush(), batchMs);
    });
  }
  return {
    inbound: (event) => touch(event.phoneNumberId, event.waId),
    status: async (status) => {
      if (status.status === 'read' && status.recipientId) await touch(status.phoneNumberId, status.recipientId);
    },
  };
}
