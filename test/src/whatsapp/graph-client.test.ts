import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../../src/whatsapp/graph-client.js';
import type { GraphClient } from '../../../src/whatsapp/graph-client.js';
import { GraphApiError, GraphNetworkError } from '../../../src/whatsapp/graph-errors.js';
import { textMessage } from '../../../src/whatsapp/messages.js';
import { fixtureJson, readFixture } from '../../helpers/fixtures.js';

const API = 'https://graph.facebook.com';
const VERSION = 'v21.0';
const PHONE_NUMBER_ID = '118724605391736';
const TOKEN = 'EAAtestSECRETtoken123';
const PATH = `/${VERSION}/${PHONE_NUMBER_ID}/messages`;
const message = textMessage('573154286019', 'Hola');

let graph: GraphClient;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
  graph?.close();
});
afterAll(() => {
  nock.enableNetConnect();
});

function client(overrides: Partial<Parameters<typeof createGraphClient>[0]> = {}): GraphClient {
  graph = createGraphClient({ apiUrl: API, apiVersion: VERSION, phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN, ...overrides });
  return graph;
}

/** Awaits a promise that must reject and returns the reason. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Asserts the access token appears nowhere in an error, however it is printed. */
function expectNoToken(error: unknown): void {
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(String((error as Error).stack)).not.toContain(TOKEN);
}

describe('createGraphClient().sendMessage success', () => {
  it('posts the JSON body with the bearer token to /{version}/{phone-number-id}/messages and returns the wamid', async () => {
    let seen: { headers: Record<string, unknown>; body: unknown } | undefined;
    const scope = nock(API)
      .post(PATH)
      .reply(function (_uri, body) {
        seen = { headers: this.req.headers, body };
        return [200, readFixture('send-success-response.json'), { 'Content-Type': 'application/json' }];
      });

    const result = await client({ userAgent: 'Puente/0.1.0' }).sendMessage(message);

    expect(result).toEqual({ wamid: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSNjY0QTJGODdBMDFBNjc5NkQ3AA==', waId: '573154286019' });
    expect(scope.isDone()).toBe(true);
    expect(seen?.body).toEqual(message);
    expect(seen?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'user-agent': 'Puente/0.1.0',
    });
  });

  it('sends from another business number when the call overrides phoneNumberId', async () => {
    const scope = nock(API).post(`/${VERSION}/999000111/messages`).reply(200, fixtureJson('send-success-response.json'));
    await client().sendMessage(message, { phoneNumberId: '999000111' });
    expect(scope.isDone()).toBe(true);
  });

  it('accepts an api version without "v" and an api url with a trailing slash', async () => {
    const scope = nock(API).post(PATH).reply(200, fixtureJson('send-success-response.json'));
    await client({ apiUrl: `${API}/`, apiVersion: '21.0' }).sendMessage(message);
    expect(scope.isDone()).toBe(true);
  });

  it('returns a template\'s message_status', async () => {
    nock(API).post(PATH).reply(200, { messaging_product: 'whatsapp', messages: [{ id: 'wamid.T', message_status: 'accepted' }] });
    expect(await client().sendMessage(message)).toEqual({ wamid: 'wamid.T', messageStatus: 'accepted' });
  });
});

describe('createGraphClient().sendMessage failures', () => {
  it('throws a retryable GraphApiError for 130429 with code, subcode, details and fbtrace id', async () => {
    nock(API).post(PATH).reply(400, fixtureJson('error-130429-response.json'));
    const error = await rejection(client().sendMessage(message));
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 130429,
      subcode: 2494055,
      type: 'OAuthException',
      details: 'Cloud API message throughput has been reached.',
      fbtraceId: 'O_g-0hjXZRaKUTU8sbJyenu',
      retryable: true,
      classification: { kind: 'retry', code: 130429 },
    });
    expect((error as Error).message).toContain('(#130429) Rate limit hit');
  });

  it('throws a permanent GraphApiError for 131047 (24-hour window closed)', async () => {
    nock(API).post(PATH).reply(400, fixtureJson('error-131047-response.json'));
    const error = await rejection(client().sendMessage(message));
    expect(error).toMatchObject({ code: 131047, retryable: false, classification: { kind: 'permanent' } });
  });

  it('throws recipient_backoff for 131056 with a 4^attempt delay', async () => {
    nock(API).post(PATH).reply(400, fixtureJson('error-131056-response.json'));
    const error = await rejection(client().sendMessage(message, { attempt: 2 }));
    expect(error).toMatchObject({ code: 131056, retryable: true, classification: { kind: 'recipient_backoff', retryAfterMs: 16_000 } });
  });

  it('throws a permanent GraphApiError with a token alert for 190, without leaking the token', async () => {
    nock(API).post(PATH).reply(401, fixtureJson('error-190-response.json'));
    const error = await rejection(client().sendMessage(message));
    expect(error).toMatchObject({ status: 401, code: 190, subcode: 463, retryable: false, classification: { kind: 'permanent', alert: 'token' } });
    expectNoToken(error);
  });

  it('redacts the token if Meta ever echoes it in an error message', async () => {
    nock(API).post(PATH).reply(400, { error: { message: `Invalid OAuth access token - Cannot parse access token ${TOKEN}`, code: 190 } });
    const error = await rejection(client().sendMessage(message));
    expectNoToken(error);
    expect((error as Error).message).toContain('[redacted]');
  });

  it('treats a 500 with an HTML body as a retryable GraphApiError without a code', async () => {
    nock(API).post(PATH).reply(500, '<html><body>Internal Server Error</body></html>', { 'Content-Type': 'text/html' });
    const error = await rejection(client().sendMessage(message));
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ status: 500, code: undefined, retryable: true, classification: { kind: 'retry' } });
  });

  it('passes a Retry-After header through as retryAfterMs', async () => {
    nock(API).post(PATH).reply(429, fixtureJson('error-130429-response.json'), { 'Retry-After': '3' });
    const error = await rejection(client().sendMessage(message));
    expect(error).toMatchObject({ classification: { kind: 'retry', retryAfterMs: 3000 } });
  });

  it('treats a 200 without a message id as a permanent GraphApiError rather than risk a duplicate send', async () => {
    nock(API).post(PATH).reply(200, { messaging_product: 'whatsapp' });
    const error = await rejection(client().sendMessage(message));
    expect(error).toMatchObject({ status: 200, retryable: false });
  });

  it('wraps a reset connection in a retryable GraphNetworkError that carries no request config or token', async () => {
    nock(API).post(PATH).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', errno: -104 }));
    const error = await rejection(client().sendMessage(message));
    expect(error).toBeInstanceOf(GraphNetworkError);
    expect(error).toMatchObject({ code: 'ECONNRESET', retryable: true, timedOut: false });
    expect(error).not.toHaveProperty('config');
    expect(error).not.toHaveProperty('cause');
    expectNoToken(error);
  });

  it('wraps a timeout in a retryable GraphNetworkError marked timedOut', async () => {
    // A real local server that never answers: the client's own timeout has to fire.
    const sockets = new Set<Socket>();
    const server = http.createServer(() => undefined);
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await rejection(client({ apiUrl: `http://127.0.0.1:${port}`, timeoutMs: 100 }).sendMessage(message));
      expect(error).toBeInstanceOf(GraphNetworkError);
      expect(error).toMatchObject({ retryable: true, timedOut: true, code: 'ETIMEDOUT' });
      expectNoToken(error);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('createGraphClient().markRead', () => {
  it('posts the mark-as-read body with the typing indicator', async () => {
    let body: unknown;
    nock(API)
      .post(PATH, (b: unknown) => {
        body = b;
        return true;
      })
      .reply(200, { success: true });
    const wamid = 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggQ0Q3MUY0OEY4MjgyM0EzMTcyQ0Y2ODFCNENGQjRFMEUA';
    await client().markRead(wamid, { typing: true });
    expect(body).toEqual(fixtureJson('mark-read-request.json'));
  });

  it('throws a permanent GraphApiError when Meta rejects the wamid (131009)', async () => {
    nock(API).post(`/${VERSION}/555/messages`).reply(400, { error: { message: '(#131009) Parameter value is not valid', code: 131009 } });
    const error = await rejection(client().markRead('wamid.old', { phoneNumberId: '555' }));
    expect(error).toMatchObject({ code: 131009, retryable: false });
  });
});
