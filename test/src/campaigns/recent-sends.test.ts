import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignMessageRef, CampaignMessages } from '../../../src/campaigns/campaign-messages.js';
import { createActivityLog } from '../../../src/campaigns/activity-log.js';
import { createRecentCampaignSends, RECENT_CAMPAIGN_TTL_SECONDS } from '../../../src/campaigns/recent-sends.js';
import { createReplyTracking } from '../../../src/campaigns/replies.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import type { InboundEvent } from '../../../src/whatsapp/webhook-events.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys } from '../../helpers/redis.js';

/**
 * The marker of conversations a campaign wrote to: an unquoted user message elsewhere is not
 * looked for in the conversation log at all (the usual message, one Redis EXISTS).
 */
describe('recent campaign sends', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let conn: Connection;
  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('recent_sends'))).asPromise();
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  it('remembers a conversation for the longest look-back (7 days), and only that one', async () => {
    const recent = createRecentCampaignSends(redis, prefix);
    await recent.mark('111:573001');
    expect(await recent.maybe('111:573001')).toBe(true);
    expect(await recent.maybe('111:573002')).toBe(false);
    const ttl = await redis.ttl(`${prefix}:cmp:recent:111:573001`);
    expect(ttl).toBeGreaterThan(RECENT_CAMPAIGN_TTL_SECONDS - 5);
    expect(RECENT_CAMPAIGN_TTL_SECONDS).toBe(7 * 86_400);
  });

  it('spares an unquoted message of an unmarked conversation the look-up; a marked one is looked up', async () => {
    const recent = createRecentCampaignSends(redis, prefix);
    const lookedUp: string[] = [];
    const sent: CampaignMessageRef = { wamid: 'wamid.cmp', waId: '573003', phoneNumberId: '111', campaignId: 'cmp_1', enrollmentId: 'enr_1', step: 1, at: new Date(Date.now() - 60_000) };
    const messages: CampaignMessages = {
      byWamid: async () => null,
      lastSentBefore: async (key) => {
        lookedUp.push(key);
        return key === '111:573003' ? sent : null;
      },
    };
    const replies = createReplyTracking({ connection: conn, messages, activities: createActivityLog(conn), logger: createLogger({ level: 'silent' }), recent });
    const message = (waId: string) => ({ wamid: `wamid.${waId}`, phoneNumberId: '111', waId, type: 'text', text: 'me interesa', timestamp: Math.floor(Date.now() / 1000) }) as unknown as InboundEvent;
    expect(await replies.answered(message('573004'))).toBeNull();
    expect(lookedUp).toEqual([]);
    await recent.mark('111:573003');
    expect(await replies.answered(message('573003'))).toEqual(sent);
    expect(lookedUp).toEqual(['111:573003']);
  });
});
