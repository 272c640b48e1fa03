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

  it('writes one access line per request, and handler logs, with the request id the client got', async () => {
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
    const mine = records().filter((r) => r.reqId === reqId);
    expect(mine.map((r) => r.msg)).toEqual(['WhatsApp reported an asynchronous error', 'request']);
    expect(mine[1]).toMatchObject({ method: 'POST', path: '/webhook', status: 200 });
  });

  it('keeps health checks out of the info-level access log', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(records().some((r) => r.reqId === res.headers.get('x-request-id'))).toBe(false);
  });
});
