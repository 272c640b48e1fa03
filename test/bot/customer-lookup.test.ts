import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerLookup, type CustomerLookupOptions } from '../../bot/customer-lookup.js';
import { createLogger } from '../../src/platform/logging/logger.js';

const CRM = 'https://crm.test';
const PATH = '/api/bot/customer-lookup';
const SECRET = 'bot-signature-secret';
const request = { document: '1020304050', phone: '573001234567' };
const customer = { customerId: '12345', customerName: 'Juan Pérez', serviceSuspended: true };

function lookupClient(overrides: Partial<CustomerLookupOptions> = {}) {
  return createCustomerLookup({
    crmBaseUrl: `${CRM}/`,
    botApiToken: 'bot-api-token',
    botSignatureSecret: SECRET,
    userAgent: 'Puente/1.2.3',
    timeoutMs: 1_000,
    retryDelayMs: 10,
    logger: createLogger({ level: 'silent' }),
    ...overrides,
  });
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('customer lookup client (CRM mocked with nock)', () => {
  it('finds a customer, sending the contract body with bearer, signature over the raw body and user agent', async () => {
    let seen: { headers: Record<string, string | string[] | undefined>; body: string } | undefined;
    nock(CRM)
      .post(PATH)
      .reply(function reply(_uri, body) {
        seen = { headers: this.req.headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
        return [200, { found: true, customer: { ...customer, plan: 'Hogar 300 Mbps', balance: 89900, dueDate: '2025-06-20', extra: { any: 1 } } }];
      });
    const result = await lookupClient().lookup(request);
    expect(result).toEqual({
      outcome: 'found',
      customer: { ...customer, plan: 'Hogar 300 Mbps', balance: 89900, dueDate: '2025-06-20' },
    });
    expect(JSON.parse(seen!.body)).toEqual(request);
    expect(seen!.headers.authorization).toBe('Bearer bot-api-token');
    expect(seen!.headers['user-agent']).toBe('Puente/1.2.3');
    expect(seen!.headers['content-type']).toMatch(/^application\/json/);
    const expected = `sha256=${createHmac('sha256', SECRET).update(seen!.body).digest('hex')}`;
    expect(seen!.headers['x-bot-signature']).toBe(expected);
  });

  it('accepts the contract\'s isInactive flag and a numeric customer id', async () => {
    nock(CRM).post(PATH).reply(200, { found: true, customer: { customerId: 777, customerName: 'Ana', isInactive: false } });
    expect(await lookupClient().lookup(request)).toEqual({
      outcome: 'found',
      customer: { customerId: '777', customerName: 'Ana', serviceSuspended: false },
    });
  });

  it('drops display fields the CRM shapes differently instead of failing the login', async () => {
    nock(CRM).post(PATH).reply(200, { found: true, customer: { ...customer, balance: { amount: 1 }, dueDate: 42 } });
    expect(await lookupClient().lookup(request)).toEqual({ outcome: 'found', customer });
  });

  it('reports not_found for a 404', async () => {
    nock(CRM).post(PATH).reply(404);
    expect(await lookupClient().lookup(request)).toEqual({ outcome: 'not_found' });
  });

  it('reports not_found for {found: false}', async () => {
    nock(CRM).post(PATH).reply(200, { found: false });
    expect(await lookupClient().lookup(request)).toEqual({ outcome: 'not_found' });
  });

  it('does not count an HTML 404 page (a wrong CRM_BASE_URL) as a wrong document', async () => {
    nock(CRM).post(PATH).reply(404, '<html><body>Not Found</body></html>', { 'Content-Type': 'text/html' });
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
  });

  it('retries once after a 500 and returns the second answer', async () => {
    const scope = nock(CRM).post(PATH).reply(500).post(PATH).reply(200, { found: true, customer });
    expect(await lookupClient().lookup(request)).toEqual({ outcome: 'found', customer });
    expect(scope.isDone()).toBe(true);
  });

  it('gives up as unavailable after two timeouts, without a third attempt', async () => {
    const scope = nock(CRM).post(PATH).delay(300).reply(200, { found: false }).post(PATH).delay(300).reply(200, { found: false });
    const third = nock(CRM).post(PATH).reply(200, { found: false });
    const started = Date.now();
    const result = await lookupClient({ timeoutMs: 100 }).lookup(request);
    expect(result.outcome).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(scope.isDone()).toBe(true);
    expect(third.isDone()).toBe(false);
  });

  it('gives up as unavailable after two network errors', async () => {
    nock(CRM).post(PATH).times(2).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
  });

  it('reports malformed JSON as unavailable', async () => {
    nock(CRM).post(PATH).reply(200, '{"found": tru', { 'Content-Type': 'application/json' });
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
  });

  it('reports a body without the contract fields as unavailable', async () => {
    nock(CRM).post(PATH).reply(200, { found: true, customer: { customerName: 'Sin id', serviceSuspended: false } });
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
  });

  it('does not retry 401/403 and reports them as unavailable', async () => {
    const scope = nock(CRM).post(PATH).reply(401, { error: 'bad token' });
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
    expect(scope.isDone()).toBe(true);
    nock(CRM).post(PATH).reply(403);
    expect((await lookupClient().lookup(request)).outcome).toBe('unavailable');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
