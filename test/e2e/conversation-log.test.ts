import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConversationLog, type ConversationLog } from '../../src/conversations/conversation-log.js';
import { messageModel, type MessageModel } from '../../src/conversations/message-log.js';
import { connectMongo, type MongoHandle } from '../../src/platform/mongo/connection.js';
import { mongoUriFor, uniqueDbName } from '../helpers/mongo.js';

const base = { conversationKey: '111:573001112233', phoneNumberId: '111', waId: '573001112233' };

describe('conversation log writes (group commit)', () => {
  let mongo: MongoHandle;
  let model: MessageModel;
  let log: ConversationLog;

  beforeAll(async () => {
    mongo = await connectMongo(mongoUriFor(uniqueDbName('convlog')));
    model = messageModel(mongo.connection);
    await model.init();
    log = createConversationLog(model);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await mongo.close();
  });

  it('stores every one of many concurrent writes, in far fewer round trips than writes', async () => {
    const bulkWrite = vi.spyOn(model.collection, 'bulkWrite');
    const at = new Date('2026-11-30T10:00:00Z');
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        log.logInbound({ ...base, wamid: `wamid.batch-${i}`, direction: 'inbound', author: 'user', type: 'text', text: `hola ${i}`, at }),
      ),
    );
    expect(bulkWrite.mock.calls.length).toBeGreaterThan(0);
    expect(bulkWrite.mock.calls.length).toBeLessThanOrEqual(3);
    bulkWrite.mockRestore();

    const stored = await model.find({ wamid: /^wamid\.batch-/ }).lean();
    expect(stored).toHaveLength(60);
    const one = stored.find((m) => m.wamid === 'wamid.batch-7')!;
    expect(one).toMatchObject({ text: 'hola 7', status: 'received', statusRank: 0, direction: 'inbound' });
    expect(one.statusHistory).toEqual([{ status: 'received', at }]);
    expect(one.createdAt).toBeInstanceOf(Date);
    expect(one).not.toHaveProperty('ticketId'); // undefined fields are left out, not stored as null
  });

  it('moves an outbound message forward only: queued → accepted, and failed stays failed', async () => {
    const queuedAt = new Date('2026-11-30T10:00:00Z');
    await log.logQueued({ ...base, outboundId: 'out-1', direction: 'outbound', author: 'bot', type: 'text', text: 'Hola', at: queuedAt });
    await log.logQueued({ ...base, outboundId: 'out-1', direction: 'outbound', author: 'bot', type: 'text', text: 'Hola otra vez', at: new Date() }); // redelivered: no second insert
    await log.markAccepted('out-1', 'wamid.out-1', new Date('2026-11-30T10:00:01Z'));
    await log.markAccepted('out-1', 'wamid.other', new Date('2026-11-30T10:00:02Z')); // repeated: ignored
    const accepted = await model.findOne({ outboundId: 'out-1' }).lean();
    expect(accepted).toMatchObject({ text: 'Hola', wamid: 'wamid.out-1', status: 'accepted', statusRank: 1 });
    expect(accepted!.statusHistory.map((h) => h.status)).toEqual(['queued', 'accepted']);

    await log.logQueued({ ...base, outboundId: 'out-2', direction: 'outbound', author: 'agent', type: 'text', text: 'x', at: queuedAt });
    await log.markFailed('out-2', { code: 131026, title: 'Message undeliverable', message: undefined });
    await log.markAccepted('out-2', 'wamid.late');
    const failed = await model.findOne({ outboundId: 'out-2' }).lean();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 131026, title: 'Message undeliverable' } });
    expect(failed!.wamid).toBeUndefined();
    expect(failed!.error).not.toHaveProperty('message');
  });
});
