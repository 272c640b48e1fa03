import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient, type GraphClient } from '../../../src/whatsapp/graph-client.js';
import { GraphApiError, GraphNetworkError } from '../../../src/whatsapp/graph-errors.js';

const API = 'https://graph.facebook.com';
const VERSION = 'v21.0';
const WABA = '102290129340398';
const TOKEN = 'EAAtestSECRETtoken123';
const PATH = `/${VERSION}/${WABA}/message_templates`;

let graph: GraphClient;
const observed: [string, string][] = [];

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
  graph?.close();
  observed.length = 0;
});
afterAll(() => {
  nock.enableNetConnect();
});

function client(): GraphClient {
  graph = createGraphClient({ apiUrl: API, apiVersion: VERSION, phoneNumberId: '118724605391736', accessToken: TOKEN, observe: (op, outcome) => observed.push([op, outcome]) });
  return graph;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const tpl = (name: string, status = 'APPROVED') => ({ id: `id-${name}`, name, language: 'es', category: 'MARKETING', status, components: [{ type: 'BODY', text: 'Hola {{1}}' }] });

describe('createGraphClient().listTemplates', () => {
  it('GETs /{waba}/message_templates with the fields and a page size, bearer token, and follows the after cursors (never paging.next, which carries the token)', async () => {
    const seen: { query: Record<string, string>; auth: unknown }[] = [];
    const scope = nock(API)
      .get(PATH)
      .query((q) => q.after === undefined)
      .reply(function (uri) {
        seen.push({ query: Object.fromEntries(new URL(uri, API).searchParams), auth: this.req.headers.authorization });
        return [200, { data: [tpl('uno'), tpl('dos')], paging: { cursors: { before: 'B1', after: 'A1' }, next: `${API}${PATH}?access_token=${TOKEN}&after=A1` } }];
      })
      .get(PATH)
      .query((q) => q.after === 'A1')
      .reply(function (uri) {
        seen.push({ query: Object.fromEntries(new URL(uri, API).searchParams), auth: this.req.headers.authorization });
        // The last page: a cursor but no `next`.
        return [200, { data: [tpl('tres', 'PENDING'), { id: 'x', status: 'APPROVED' }], paging: { cursors: { before: 'B2', after: 'A2' } } }];
      });

    const templates = await client().listTemplates(WABA, { pageSize: 2 });

    expect(scope.isDone()).toBe(true);
    expect(templates.map((t) => [t.name, t.status])).toEqual([
      ['uno', 'APPROVED'],
      ['dos', 'APPROVED'],
      ['tres', 'PENDING'],
    ]);
    expect(templates[0]).toEqual({ id: 'id-uno', name: 'uno', language: 'es', category: 'MARKETING', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hola {{1}}' }] });
    expect(seen).toEqual([
      { query: { fields: 'name,language,category,status,components', limit: '2' }, auth: `Bearer ${TOKEN}` },
      { query: { fields: 'name,language,category,status,components', limit: '2', after: 'A1' }, auth: `Bearer ${TOKEN}` },
    ]);
    expect(observed).toEqual([
      ['list_templates', 'ok'],
      ['list_templates', 'ok'],
    ]);
  });

  it('stops after maxPages even if Graph keeps offering more', async () => {
    nock(API)
      .persist()
      .get(PATH)
      .query(true)
      .reply(200, { data: [tpl('otra')], paging: { cursors: { after: 'again' }, next: 'https://graph.facebook.com/next' } });
    expect(await client().listTemplates(WABA, { maxPages: 3 })).toHaveLength(3);
  });

  it('an error envelope is a GraphApiError with Meta’s code, without the token', async () => {
    nock(API)
      .get(PATH)
      .query(true)
      .reply(400, { error: { message: `Invalid OAuth access token ${TOKEN}`, type: 'OAuthException', code: 190, fbtrace_id: 'TRACE' } });
    const error = await rejection(client().listTemplates(WABA));
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ status: 400, code: 190, classification: { kind: 'permanent', alert: 'token' } });
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
    expect(observed).toEqual([['list_templates', 'http_400']]);
  });

  it('a 5xx is a retryable GraphApiError; a 200 without data is a GraphApiError too', async () => {
    nock(API).get(PATH).query(true).reply(503, 'Service Unavailable');
    expect(await rejection(client().listTemplates(WABA))).toMatchObject({ name: 'GraphApiError', status: 503, retryable: true });
    nock(API).get(PATH).query(true).reply(200, { templates: [] });
    expect(await rejection(client().listTemplates(WABA))).toMatchObject({ name: 'GraphApiError', status: 200, retryable: false });
  });

  it('no answer is a GraphNetworkError', async () => {
    nock(API).get(PATH).query(true).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const error = await rejection(client().listTemplates(WABA));
    expect(error).toBeInstanceOf(GraphNetworkError);
    expect(observed).toEqual([['list_templates', 'network']]);
  });
});
