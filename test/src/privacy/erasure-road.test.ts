import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../../src/api-keys/index.js';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { testEnv } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';
import { useRoad, type Road } from '../../helpers/road.js';
import { recordGraph, userOf } from '../../helpers/transcript.js';

const ADMIN_KEY = 'test-admin-key-privacy-road-0123456789abcd';

describe('erasure after a real conversation (webhook, lane, bot, contact keeper)', () => {
  const roadOf = useRoad({ API_ADMIN_KEY: ADMIN_KEY });
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  const post = (path: string, key: string, body: unknown) => road.app.request(path, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('removes what the user’s messages left behind in the default organization', async () => {
    const phone = '573500000091';
    const db = road.deps.mongo.connection;
    const graph = recordGraph();
    const user = userOf(road, graph, phone);
    const [menu] = await user.say('hola');
    expect(menu).toBeDefined();
    await waitFor(async () => (await db.collection('contacts').countDocuments({ phone })) === 1, 5_000, 'the contact');
    const sessionKey = `${road.deps.keyPrefix}:session:${conversationKey(testEnv.WHATSAPP_PHONE_NUMBER_ID, phone)}`;
    await waitFor(async () => (await road.deps.redis.exists(sessionKey)) === 1, 5_000, 'the session');
    await waitFor(async () => (await db.collection('messages').countDocuments({ waId: phone, direction: 'outbound' })) >= 1, 5_000, 'the reply in the log');
    const logged = await db.collection('messages').countDocuments({ waId: phone });

    const { key } = (await (await post(`/api/v1/admin/orgs/${DEFAULT_ORG_ID}/api-keys`, ADMIN_KEY, { name: 'dpo', scopes: ['admin'] })).json()) as { key: string };
    const res = await post('/api/v1/privacy/erasures', key, { phone: '+57 350 000 0091' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ erased: { messages: logged, contacts: 1, leads: 0, tickets_anonymized: 0, sessions: 1 } });
    expect(await db.collection('messages').countDocuments({ waId: phone })).toBe(0);
    expect(await db.collection('contacts').countDocuments({ phone })).toBe(0);
    expect(await road.deps.redis.exists(sessionKey)).toBe(0);
  });
});
