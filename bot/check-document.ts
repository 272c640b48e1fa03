import type { AuthLock } from './auth-lock.js';
import type { CustomerLookup } from './customer-lookup.js';
import type { BotEvent } from './events.js';
import type { BotConversation } from './ports.js';

export interface CheckDocumentDeps {
  lookup: CustomerLookup;
  authLock: AuthLock;
}

/**
 * The I/O behind "the user typed a document number", turned into the event `step` reads:
 * no CRM call while locked; a miss is counted in Redis and the one that reaches the limit
 * locks; a hit clears the count. Runs in the runner, before `step`.
 */
export async function checkDocument(
  deps: CheckDocumentDeps,
  conversation: BotConversation,
  document: string,
  lockedUntil: string | undefined,
): Promise<BotEvent> {
  if (lockedUntil) return { type: 'DOCUMENT_LOCKED', until: lockedUntil };
  const result = await deps.lookup.lookup({ document, phone: conversation.waId });
  switch (result.outcome) {
    case 'found':
      await deps.authLock.clear(conversation.key);
      return { type: 'DOCUMENT_FOUND', customer: result.customer };
    case 'not_found': {
      const failure = await deps.authLock.recordFailure(conversation.key);
      return failure.locked && failure.until
        ? { type: 'DOCUMENT_LOCKED', until: failure.until }
        : { type: 'DOCUMENT_NOT_FOUND', attemptsLeft: Math.max(1, deps.authLock.maxFailures - failure.failures) };
    }
    case 'unavailable':
      return { type: 'LOOKUP_UNAVAILABLE' };
  }
}
