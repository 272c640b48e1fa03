import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app/http-app.js';
import { signBody } from '../../../../src/whatsapp/signature.js';
import { createTestDeps, memoryLogger, testEnv, type TestDeps } from '../../../helpers/deps.js';

describe('request logging', () => {
  const { logger, lines } = memoryLogger('info');
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    deps = await createTestDeps({}, logger);
    app = createApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('writes handler logs with the request id the client got, and no info access line for an accepted webhook (the per-message path)', async () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550000000', phone_number_id: testEnv.WHATSAPP_PHONE_NUMBER_ID },
        errors: [{ code: 131000, title: 'Something went wrong' }],
      } }] }],
    });
    const res = await app.request('/webhook', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, body) } });
    expect(res.status).toBe(200);
    const reqId = res.headers.get('x-request-id');
    expect(reqId).toBeTruthy();
    expect(records().filter((r) => r.reqId === reqId).map((r) => r.msg)).toEqual(['WhatsApp reported an asynchronous error']);
  });

  it('writes one access line per request otherwise: a refused webhook, its verification handshake, the business API', async () => {
    const refused = await app.request('/webhook', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' } });
    const handshake = await app.request(`/webhook?hub.mode=subscribe&hub.verify_token=${testEnv.WEBHOOK_VERIFY_TOKEN}&hub.challenge=42`);
    const api = await app.request('/api/v1/contacts');
    expect([refused.status, handshake.status, api.status]).toEqual([401, 200, 401]);
    const accessLine = (res: Response) => records().filter((r) => r.reqId === res.headers.get('x-request-id') && r.msg === 'request');
    expect(accessLine(refused)).toEqual([expect.objectContaining({ level: 30, method: 'POST', path: '/webhook', status: 401 })]);
    expect(accessLine(handshake)).toEqual([expect.objectContaining({ level: 30, method: 'GET', path: '/webhook', status: 200 })]);
    expect(accessLine(api)).toEqual([expect.objectContaining({ level: 30, method: 'GET', path: '/api/v1/contacts', status: 401 })]);
  });

  it('keeps health checks out of the info-level access log', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(records().some((r) => r.reqId === res.headers.get('x-request-id'))).toBe(false);
  });
});
