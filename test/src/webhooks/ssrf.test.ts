import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTargetUrl, guardedLookup, specialRange, systemResolver, type ResolvedAddress, type Resolver } from '../../../src/webhooks/ssrf.js';
import { startReceiver, waitFor, webhookHarness, type Receiver, type WebhookHarness } from './helpers.js';

/** A resolver with fixed answers for some names (the rest: the system's, e.g. /etc/hosts' localhost). */
function fakeResolver(answers: Record<string, string[] | (() => string[])>): Resolver {
  return async (hostname) => {
    const entry = answers[hostname];
    if (!entry) return systemResolver(hostname);
    const list = typeof entry === 'function' ? entry() : entry;
    return list.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::1', 'loopback'],
    ['ff02::1', 'multicast'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, range) => {
    expect(specialRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:80b::200e'])('%s is public', (address) => {
    expect(specialRange(address)).toBeUndefined();
  });

  it('is not fooled by other IPv4 notations: the URL parser normalizes them first', async () => {
    const policy = { allowPrivate: false };
    for (const url of ['https://2130706433/', 'https://0x7f.1/', 'https://017700000001/', 'https://127.1/']) {
      expect(await checkTargetUrl(url, policy, systemResolver), url).toMatchObject({ ok: false });
    }
  });
});

describe('checkTargetUrl', () => {
  const resolve = fakeResolver({ 'public.example': ['93.184.216.34'], 'internal.example': ['127.0.0.1'], 'mixed.example': ['93.184.216.34', '10.0.0.5'], 'v6.example': ['::1'] });
  const off = { allowPrivate: false };
  const on = { allowPrivate: true };

  it('accepts https to public addresses and refuses anything that resolves to a private one', async () => {
    expect(await checkTargetUrl('https://public.example/hook', off, resolve)).toMatchObject({ ok: true });
    expect(await checkTargetUrl('https://internal.example/hook', off, resolve)).toMatchObject({ ok: false, reason: expect.stringContaining('loopback') });
    // One private answer among public ones is enough to refuse: the resolver could give it at delivery time.
    expect(await checkTargetUrl('https://mixed.example/hook', off, resolve)).toMatchObject({ ok: false, reason: expect.stringContaining('private') });
    expect(await checkTargetUrl('https://v6.example/hook', off, resolve)).toMatchObject({ ok: false });
    expect(await checkTargetUrl('https://nowhere.invalid/hook', off, resolve)).toMatchObject({ ok: false, unresolved: true });
    expect(await checkTargetUrl('ftp://public.example/', off, resolve)).toMatchObject({ ok: false });
  });

  it('allows private targets, and plain http to them, only with the flag; plain http to a public address never', async () => {
    expect(await checkTargetUrl('http://127.0.0.1:8080/hook', off, resolve)).toMatchObject({ ok: false });
    expect(await checkTargetUrl('http://127.0.0.1:8080/hook', on, resolve)).toMatchObject({ ok: true });
    expect(await checkTargetUrl('https://internal.example/hook', on, resolve)).toMatchObject({ ok: true });
    expect(await checkTargetUrl('http://public.example/hook', on, resolve)).toMatchObject({ ok: false, reason: expect.stringContaining('plain http') });
  });

  it("the agents' lookup hands out only allowed addresses", async () => {
    const lookup = guardedLookup(fakeResolver({ 'mixed.example': ['10.0.0.5', '93.184.216.34'], 'internal.example': ['127.0.0.1'] }), 'https:', off);
    const ask = (host: string, options: { all?: boolean }) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup(host, options, (err, address) => resolve({ err, address })));
    expect(await ask('mixed.example', { all: true })).toEqual({ err: null, address: [{ address: '93.184.216.34', family: 4 }] });
    expect(await ask('mixed.example', {})).toEqual({ err: null, address: '93.184.216.34' });
    const refused = await ask('internal.example', { all: true });
    expect(refused.err?.code).toBe('EBLOCKED');
  });
});

describe('the API refuses private targets (422), at creation and on a url change', () => {
  let h: WebhookHarness;
  let call: Awaited<ReturnType<WebhookHarness['org']>>['call'];
  beforeAll(async () => {
    h = await webhookHarness({
      env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false' },
      workers: false,
      options: { resolve: fakeResolver({ 'public.example': ['93.184.216.34'], 'internal.example': ['127.0.0.1'], 'mapped.example': ['::ffff:10.0.0.1'] }) },
    });
    ({ call } = await h.org());
  });
  afterAll(async () => h.stop());

  const create = (url: string) => call('/api/v1/webhooks', { method: 'POST', json: { url, events: ['ticket.created'] } });

  it.each([
    'https://127.0.0.1/hook',
    'https://10.1.2.3/hook',
    'https://172.20.0.1/hook',
    'https://192.168.0.10/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[fd00::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::]/hook',
    'https://internal.example/hook',
    'https://mapped.example/hook',
    'https://localhost:8443/hook',
    'http://93.184.216.34/hook',
  ])('%s → 422', async (url) => {
    const res = await create(url);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } };
    expect(body.error.code).toBe('INVALID_VALUE');
    expect(body.error.details[0]?.path).toBe('url');
  });

  it('accepts a public https target, and refuses a private one on PATCH', async () => {
    const res = await create('https://public.example/hook');
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { url: 'https://internal.example/x' } })).status).toBe(422);
    expect((await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { url: 'https://[::ffff:a00:1]/x' } })).status).toBe(422);
    expect((await create('https://93.184.216.34/hook')).status).toBe(201);
  });

  it('an unparseable url is a 422 too, a missing one a 400', async () => {
    expect((await create('not a url')).status).toBe(422);
    expect((await call('/api/v1/webhooks', { method: 'POST', json: { events: ['ticket.created'] } })).status).toBe(400);
  });
});

describe('WEBHOOKS_ALLOW_PRIVATE_TARGETS', () => {
  it('lets loopback targets and plain http to them through; plain http to a public address stays refused', async () => {
    const h = await webhookHarness({ workers: false, options: { resolve: fakeResolver({ 'public.example': ['93.184.216.34'] }) } });
    try {
      const { call } = await h.org();
      const create = (url: string) => call('/api/v1/webhooks', { method: 'POST', json: { url, events: ['*'] } });
      expect((await create('http://127.0.0.1:9/hook')).status).toBe(201);
      expect((await create('http://localhost:9/hook')).status).toBe(201);
      expect((await create('https://[::1]:9/hook')).status).toBe(201);
      expect((await create('http://public.example/hook')).status).toBe(422);
    } finally {
      await h.stop();
    }
  });
});

describe('the check at delivery time (DNS rebinding)', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());

  it('refuses to connect when the name resolves to a private address at delivery, though it was public at creation', async () => {
    let answers = 0;
    const h = await webhookHarness({
      env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false' },
      // First answer (the creation check) public, every later one (the delivery agent's) loopback.
      options: { resolve: fakeResolver({ 'rebind.example': () => (answers++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']) }), verificationDelaysMs: [] },
    });
    try {
      const { call } = await h.org();
      const port = new URL(receiver.url).port;
      const res = await call('/api/v1/webhooks', { method: 'POST', json: { url: `https://rebind.example:${port}/hook`, events: ['*'] } });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      type Log = { data: { status: string; attempts: { error: string | null; status_code: number | null }[] }[] };
      await waitFor(async () => ((await (await call(`/api/v1/webhooks/${id}/deliveries`)).json()) as Log).data[0]?.status === 'failed', 10_000, 'verification failed');
      const log = (await (await call(`/api/v1/webhooks/${id}/deliveries`)).json()) as Log;
      expect(log.data[0]!.attempts[0]).toMatchObject({ status_code: null, error: expect.stringContaining('refused target') });
      expect(receiver.requests).toHaveLength(0);
      expect(((await (await call(`/api/v1/webhooks/${id}`)).json()) as { status: string }).status).toBe('pending_verification');
    } finally {
      await h.stop();
    }
  });
});

describe('delivering to a host name', () => {
  it("connects to the address the agent's lookup allows (here a loopback one, with the flag)", async () => {
    const receiver = await startReceiver();
    const h = await webhookHarness({ options: { resolve: fakeResolver({ 'hooks.test': ['127.0.0.1'] }) } });
    try {
      const { call } = await h.org();
      const port = new URL(receiver.url).port;
      const res = await call('/api/v1/webhooks', { method: 'POST', json: { url: `http://hooks.test:${port}/hook`, events: ['*'] } });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await waitFor(async () => ((await (await call(`/api/v1/webhooks/${id}`)).json()) as { status: string }).status === 'active', 10_000, 'verified');
      expect(receiver.requests[0]!.headers.host).toBe(`hooks.test:${port}`);
    } finally {
      await h.stop();
      await receiver.close();
    }
  });
});
