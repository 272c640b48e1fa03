import type { ContactStore } from '../../contacts/store.js';
import { AppError } from '../../platform/http/errors.js';
import type { RequestAuth } from '../../platform/http/types.js';
import type { LeadDoc } from '../models.js';
import type { Rescore } from '../rescore.js';
import type { ScoreQueue } from '../score-queue.js';
import type { LeadStore } from '../store.js';

export interface LeadRouteDeps {
  leads: LeadStore;
  contacts: ContactStore;
  rescore: Rescore;
  scores: ScoreQueue;
}

/** Who a change is recorded as: the API key that made it. */
export const actor = (auth: RequestAuth) => `api:${auth.keyId}`;

/** The lead, or a 404 (another organization's lead is unknown too). */
export function found(lead: LeadDoc | null, id: string): LeadDoc {
  if (!lead) throw new AppError('NOT_FOUND', `No lead ${id}`);
  return lead;
}
