import type { Redis } from 'ioredis';
import type { Config } from '../../src/platform/config/index.js';
import type { ConversationLog } from '../../src/conversations/conversation-log.js';
import { AppError } from '../../src/platform/http/errors.js';
import type { LanePush } from '../../queues/lanes.js';
import type { BridgeLaneItem } from '../lane-items.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Ticket } from '../ticket-model.js';
import type { TicketStore } from '../ticket-store.js';

/** What the CRM-facing routes need. */
export interface CrmRouteDeps {
  config: Config;
  redis: Redis;
  keyPrefix: string;
  tickets: TicketStore;
  lanes: { push: LanePush<BridgeLaneItem> };
  log: ConversationLog;
  metrics: BridgeMetrics;
}

/** The ticket named in a CRM call, checked against the phone the CRM says it belongs to. */
export async function ticketFor(deps: CrmRouteDeps, ticketId: string, userPhone?: string): Promise<Ticket> {
  const ticket = await deps.tickets.findById(ticketId);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ticketId} does not exist`);
  if (userPhone !== undefined && ticket.userPhone !== userPhone.replace(/^\+/, '')) {
    throw new AppError('TICKET_PHONE_MISMATCH', `Ticket ${ticketId} does not belong to userPhone ${userPhone}`, { field: 'userPhone' });
  }
  return ticket;
}

/** Queues a lane item; it is deduplicated by id, so a CRM retry of the same call cannot act twice. */
export async function pushToLane(deps: CrmRouteDeps, ticket: Ticket, item: BridgeLaneItem): Promise<void> {
  try {
    await deps.lanes.push([{ lane: ticket.conversationKey, item, dedupeKey: item.id }]);
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', 'Could not queue the change for the conversation; retry the call');
  }
}
