import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson, listFixtures, readFixture } from '../helpers/fixtures.js';
import { startRoad, statusWebhook, textWebhook, type Road } from '../helpers/road.js';
import { testEnv } from '../helpers/deps.js';
import { TEST_REDIS_URL, waitFor } from '../helpers/redis.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/**
 * The signature test vector of test/fixtures/whatsapp/README.md: the exact wire body (574 bytes,
 * compact, non-ASCII escaped as \uXXXX) signed with the test app secret (`testEnv.META_WEBHOOK_SECRET`).
 */
const VECTOR_BODY = readFixture('signature-vector.body');
const VECTOR_SIGNATURE = 'sha256=a23ebaab10582a87b08901c82399086e8e13ddac9c6e83fec64330020105ec4c';
const VECTOR_LANE = '118724605391736:573154286019';

describe('POST /webhook', () => {
  let road: Road;
  const lanes = () => road.deps.conversations;
  const depth = (lane: string) => road.deps.redis.llen(`${road.deps.keyPrefix}:mb:lanes:q:${lane}`);

  beforeAll(async () => {
    road = await startRoad({}, { workers: false });
  });
  afterAll(async () => road.stop());

  const post = (body: string, headers: Record<string, string>) =>
    road.app.request('/webhook', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('accepts the test vector signed over its exact bytes and queues its message', async () => {
    expect(Buffer.byteLength(VECTOR_BODY)).toBe(574);
    expect(testEnv.META_WEBHOOK_SECRET).toBe('puente_test_app_secret');
    expect(VECTOR_LANE).toBe(`${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573154286019`);
    const res = await post(VECTOR_BODY, { 'X-Hub-Signature-256': VECTOR_SIGNATURE });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', messages: { queued: 1, duplicate: 0 } });
    expect(await depth(VECTOR_LANE)).toBe(1);
    expect(lanes()).toBeDefined();
  });

  it('rejects the same payload parsed and re-serialized (the classic bug) with 401 and queues nothing', async () => {
    const reserialized = JSON.stringify(JSON.parse(VECTOR_BODY));
    expect(reserialized).not.toBe(VECTOR_BODY);
    const before = await depth(VECTOR_LANE);
    const res = await post(reserialized.replace('HBgMNTcz', 'HBgMNTcZ'), { 'X-Hub-Signature-256': VECTOR_SIGNATURE });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
    expect(await depth(VECTOR_LANE)).toBe(before);
  });

  it.each([
    ['missing', undefined],
    ['sha1 prefix', VECTOR_SIGNATURE.replace('sha256=', 'sha1=')],
    ['no prefix', VECTOR_SIGNATURE.slice('sha256='.length)],
    ['too short', VECTOR_SIGNATURE.slice(0, -2)],
    ['too long', `${VECTOR_SIGNATURE}00`],
    ['not hex', `${VECTOR_SIGNATURE.slice(0, -1)}z`],
    ['one digit off', `${VECTOR_SIGNATURE.slice(0, -1)}8`],
  ])('answers 401 for a %s signature', async (_case, signature) => {
    const res = await post(VECTOR_BODY, signature === undefined ? {} : { 'X-Hub-Signature-256': signature });
    expect(res.status).toBe(401);
  });

  it('answers 400 MALFORMED_JSON for a signed body that is not JSON', async () => {
    const res = await road.postWebhook('{"object": "whatsapp_business_account", ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('answers 400 with details for a signed payload of the wrong shape', async () => {
    const res = await road.postWebhook({ object: 'page', entry: [] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('INVALID_WEBHOOK_PAYLOAD');
    expect(body.error.details.map((d) => d.path)).toContain('object');
  });

  it('answers 413 from the Content-Length alone, before reading the body or checking the signature', async () => {
    const res = await road.app.request('/webhook', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'content-length': String(1024 * 1024 + 1) },
    });
    expect(res.status).toBe(413);
    const big = await road.postWebhook(`{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect(big.status).toBe(413);
  });

  it('accepts every fixture webhook, including types the bot does not understand', async () => {
    const inbound = listFixtures().filter((name) => name.startsWith('inbound-') || name.startsWith('status-') || name.startsWith('batched-'));
    expect(inbound.length).toBeGreaterThanOrEqual(15);
    for (const name of inbound) {
      const res = await road.postWebhook(readFixture(name));
      expect(res.status, name).toBe(200);
    }
  });

  it('queues every message of a batched payload, for each user, in order', async () => {
    const payload = fixtureJson<{ entry: { changes: { value: { messages: { id: string; from: string }[] } }[] }[] }>('batched-two-messages-two-users.json');
    const messages = payload.entry[0]!.changes[0]!.value.messages;
    for (const m of messages) m.id = `${m.id}-batch`;
    const res = await road.postWebhook(payload);
    expect(await res.json()).toMatchObject({ messages: { queued: messages.length, duplicate: 0 } });
    const users = new Set(messages.map((m) => m.from));
    expect(users.size).toBe(2);
  });

  it('walks every entry × change × message (2 × 2 × 2 = 8) into the right lanes, in order', async () => {
    const users = ['573110000001', '573110000002'];
    const change = (e: number, c: number) => ({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '573186004400', phone_number_id: testEnv.WHATSAPP_PHONE_NUMBER_ID },
        messages: users.map((u) => ({ from: u, id: `wamid.grid-${e}-${c}-${u}`, timestamp: '1758049643', type: 'text', text: { body: `${e}${c}` } })),
      },
    });
    const res = await road.postWebhook({ object: 'whatsapp_business_account', entry: [0, 1].map((e) => ({ id: 'w', changes: [0, 1].map((c) => change(e, c)) })) });
    expect(await res.json()).toMatchObject({ messages: { queued: 8, duplicate: 0 } });
    for (const u of users) {
      const items = await road.deps.redis.lrange(`${road.deps.keyPrefix}:mb:lanes:q:${testEnv.WHATSAPP_PHONE_NUMBER_ID}:${u}`, 0, -1);
      expect(items.map((raw) => (JSON.parse(raw) as { id: string }).id)).toEqual(['00', '01', '10', '11'].map((ec) => `wamid.grid-${ec[0]}-${ec[1]}-${u}`));
    }
  });

  it('queues a message exactly once when the same delivery arrives 10 times concurrently', async () => {
    const body = textWebhook('573120000001', 'wamid.concurrent-dup', 'hola');
    const results = await Promise.all(Array.from({ length: 10 }, () => road.postWebhook(body).then((r) => r.json() as Promise<{ messages: { queued: number } }>)));
    expect(results.reduce((sum, r) => sum + r.messages.queued, 0)).toBe(1);
    expect(await depth(`${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573120000001`)).toBe(1);
  });

  it('deduplicates statuses on (wamid, status), not on wamid alone', async () => {
    const first = await (await road.postWebhook(statusWebhook('wamid.out-1', 'delivered', '573001234567'))).json();
    const again = await (await road.postWebhook(statusWebhook('wamid.out-1', 'delivered', '573001234567'))).json();
    const read = await (await road.postWebhook(statusWebhook('wamid.out-1', 'read', '573001234567'))).json();
    expect(first).toMatchObject({ statuses: { queued: 1, duplicate: 0 } });
    expect(again).toMatchObject({ statuses: { queued: 0, duplicate: 1 } });
    expect(read).toMatchObject({ statuses: { queued: 1, duplicate: 0 } });
  });

  it('opens the 24-hour service window at the message timestamp', async () => {
    const ts = Math.floor(Date.now() / 1000) - 60;
    await road.postWebhook(textWebhook('573130000001', 'wamid.window-1', 'hola', ts));
    expect(await road.deps.redis.get(`${road.deps.keyPrefix}:win:${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573130000001`)).toBe(String(ts));
  });
});

describe('GET /webhook (verification handshake)', () => {
  let road: Road;
  beforeAll(async () => {
    road = await startRoad({}, { workers: false });
  });
  afterAll(async () => road.stop());

  it('echoes hub.challenge as plain text for the right token', async () => {
    const res = await road.app.request(`/webhook?hub.mode=subscribe&hub.verify_token=${testEnv.WEBHOOK_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong token', `hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`],
    ['a wrong mode', `hub.mode=unsubscribe&hub.verify_token=${testEnv.WEBHOOK_VERIFY_TOKEN}&hub.challenge=1`],
    ['no token', `hub.mode=subscribe&hub.challenge=1`],
  ])('answers 403 for %s', async (_case, query) => {
    const res = await road.app.request(`/webhook?${query}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});

describe('POST /webhook while Redis is down', () => {
  it('answers 503 so Meta retries, and the retry is accepted once Redis is back', async () => {
    const proxy = await startTcpProxy('127.0.0.1', new URL(TEST_REDIS_URL).port ? Number(new URL(TEST_REDIS_URL).port) : 6379);
    const road = await startRoad({ REDIS_URL: proxy.url('redis') }, { workers: false });
    try {
      const body = textWebhook('573140000001', 'wamid.redis-down', 'hola');
      proxy.cut();
      const res = await road.postWebhook(body);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
      proxy.restore();
      // Meta keeps re-delivering until it gets a 200; do the same.
      let status = 0;
      await waitFor(async () => (status = (await road.postWebhook(body)).status) === 200, 15_000, 'a 200 after Redis came back');
      expect(status).toBe(200);
      const lane = await road.deps.redis.lrange(`${road.deps.keyPrefix}:mb:lanes:q:${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573140000001`, 0, -1);
      expect(lane.map((raw) => (JSON.parse(raw) as { id: string }).id)).toEqual(['wamid.redis-down']);
    } finally {
      await road.stop();
      await proxy.close();
    }
  });
});
