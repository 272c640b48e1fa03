import type { Job } from 'bullmq';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationLog, MessageNotLoggedError } from '../../../src/conversations/conversation-log.js';
import { messageModel } from '../../../src/conversations/message-log.js';
import { statusProcessor, UNKNOWN_STATUS_WAIT_MS } from '../../../src/conversations/statuses.js';
import { createMetrics } from '../../../src/platform/metrics/registry.js';
import type { StatusEvent } from '../../../src/whatsapp/webhook-events.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

describe('a status for a message Puente never sent', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('statuses'))).asPromise();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const status: StatusEvent = { wamid: 'wamid.someone-else', phoneNumberId: '111', displayPhoneNumber: '57300', recipientId: '573001112233', status: 'delivered', timestamp: 1_750_000_000, errors: [] };
  const jobAt = (timestamp: number) => ({ data: status, timestamp }) as unknown as Job<StatusEvent>;

  it('is retried while its send may still be logging, then dropped and counted instead of retried for minutes', async () => {
    const metrics = createMetrics();
    let clock = 1_000_000;
    const processor = statusProcessor(createConversationLog(messageModel(conn)), [], undefined, metrics, () => clock);
    await expect(processor(jobAt(clock - 1_000))).rejects.toBeInstanceOf(MessageNotLoggedError);
    clock += UNKNOWN_STATUS_WAIT_MS;
    await expect(processor(jobAt(clock - UNKNOWN_STATUS_WAIT_MS - 1_000))).resolves.toEqual({ dropped: 'unknown_message' });
    expect((await metrics.statusesDropped.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { reason: 'unknown_message' } })]);
  });

  it('is applied as usual once its message is in the log', async () => {
    const log = createConversationLog(messageModel(conn));
    await messageModel(conn).create({ conversationKey: '111:573001112233', phoneNumberId: '111', waId: '573001112233', direction: 'outbound', author: 'bot', type: 'text', wamid: 'wamid.ours', status: 'accepted', statusRank: 1, statusHistory: [], at: new Date() });
    const processor = statusProcessor(log, [], undefined, createMetrics(), () => Date.now());
    await processor({ data: { ...status, wamid: 'wamid.ours' }, timestamp: Date.now() } as unknown as Job<StatusEvent>);
    expect((await messageModel(conn).findOne({ wamid: 'wamid.ours' }).lean())?.status).toBe('delivered');
  });
});
