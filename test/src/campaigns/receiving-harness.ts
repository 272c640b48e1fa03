/**
 * The receiving side's harness: the whole road (HTTP app, workers, Redis, the test MongoDB) with
 * the default organization (it owns the test business number) behind an API key, a nock'd Graph
 * API that records what is sent, campaign messages written to the conversation log as the sender
 * logs them, and the campaign fixtures (test/fixtures/campaigns/) with each test's own ids.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { beforeAll, beforeEach } from 'vitest';
import { DEFAULT_ORG_ID } from '../../../src/api-keys/models.js';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { testEnv } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';
import { useRoad, type Road } from '../../helpers/road.js';
import { createRecentCampaignSends } from '../../../src/campaigns/recent-sends.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
export const NUMBER = testEnv.WHATSAPP_PHONE_NUMBER_ID;
const MESSAGES_PATH = `/v25.0/${NUMBER}/messages`;
export type Json = Record<string, unknown>;

/** The ids of the fixtures, replaced by each test's own. */
const FIXTURE_WAMID = 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSQ01QMUY0QjJBOUQ3RTVDMzEA';
const FIXTURE_USER = '573154286019';
const FIXTURE_T0 = 1764500400;

/**
 * A campaign fixture with this test's campaign message wamid, user and send time (`t0`, unix
 * seconds; the fixtures' times keep their offsets from it). Inbound message ids get a suffix so
 * each test's messages are new to the ingress' dedupe.
 */
export function campaignFixture(name: string, ids: { wamid: string; waId: string; t0: number; tag?: string }): string {
  const raw = readFileSync(new URL(`../../fixtures/campaigns/${name}`, import.meta.url), 'utf8');
  return raw
    .replaceAll(FIXTURE_WAMID, ids.wamid)
    .replaceAll(FIXTURE_USER, ids.waId)
    .replace(/"timestamp": "(\d+)"/g, (_m, t: string) => `"timestamp": "${Number(t) - FIXTURE_T0 + ids.t0}"`)
    .replace(/"id": "(wamid\.[^"]+)",\n(\s+)"timestamp"/g, (_m, id: string, sp: string) => `"id": "${id === ids.wamid ? id : `${id}.${ids.tag ?? ids.waId}`}",\n${sp}"timestamp"`);
}

export interface GraphCall {
  to?: string;
  type?: string;
  status?: string;
  text?: { body: string };
  interactive?: unknown;
}

export interface Receiving {
  road: Road;
  /** Calls the business API as the default organization (read+write key). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** What Graph was asked to send (read receipts left out), since this test began. */
  sent: GraphCall[];
  /** A contact with this phone (a wa_id); its id. */
  contact(phone: string, fields?: Json): Promise<string>;
  /** A draft campaign with one unverified step; its id. */
  campaign(body?: Json): Promise<string>;
  /** Enrolls the contacts; their enrollment ids, in order. */
  enroll(campaignId: string, contactIds: string[]): Promise<string[]>;
  /** A campaign step as the sender logs it: queued, then accepted by Graph with `wamid`. */
  logSend(input: { waId: string; campaignId: string; enrollmentId: string; step: number; wamid: string; at: Date }): Promise<void>;
  enrollment(id: string): Promise<Json>;
  /** Posts a signed webhook and checks the 200. */
  post(body: string | object): Promise<void>;
}

let userSeq = 0;
/** A wa_id no other test uses. */
export function freshUser(): string {
  userSeq += 1;
  // 57 31x xxx xxxx: a Colombian mobile (what contacts accept), unique per process and call.
  return `5731${String((process.pid * 7919 + Date.now() + userSeq * 104_729) % 100_000_000).padStart(8, '0')}`;
}

/** `graph: false` leaves the Graph API to the test (e.g. the handover helpers' own recorder). */
export function useReceiving(overrides: Record<string, string | undefined> = {}, options: { graph?: boolean } = {}): () => Receiving {
  const roadOf = useRoad({ API_ADMIN_KEY: ADMIN_KEY, ...overrides });
  let key = '';
  const sent: GraphCall[] = [];
  let n = 0;
  beforeAll(async () => {
    const road = roadOf();
    const res = await road.app.request(`/api/v1/admin/orgs/${DEFAULT_ORG_ID}/api-keys`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'receiving', scopes: ['read', 'write'] }) });
    key = ((await res.json()) as Json).key as string;
  });
  beforeEach(() => {
    sent.length = 0;
    if (options.graph === false) return;
    nock('https://graph.test')
      .persist()
      .post(MESSAGES_PATH)
      .reply(200, (_uri, body) => {
        const parsed = body as GraphCall;
        if (parsed.status === 'read') return { success: true };
        sent.push(parsed);
        return { messaging_product: 'whatsapp', contacts: [{ input: parsed.to, wa_id: parsed.to }], messages: [{ id: `wamid.reply-${process.pid}-${Date.now()}-${++n}` }] };
      });
  });

  return () => {
    const road = roadOf();
    const call: Receiving['call'] = async (path, init = {}) => {
      const { json, headers, ...rest } = init;
      const h = new Headers(headers);
      h.set('x-api-key', key);
      if (json !== undefined) h.set('content-type', 'application/json');
      return road.app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    };
    const ok = async (res: Response, status: number, what: string) => {
      if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Json;
    };
    return {
      road,
      call,
      sent,
      async contact(phone, fields = {}) {
        return (await ok(await call('/api/v1/contacts', { method: 'POST', json: { phone, name: 'Valentina Ocampo', opt_in_status: 'opted_in', ...fields } }), 201, 'contact')).id as string;
      },
      async campaign(body = {}) {
        const id = (await ok(await call('/api/v1/campaigns', { method: 'POST', json: { name: 'Lanzamiento Hogar 500', ...body } }), 201, 'campaign')).id as string;
        await ok(await call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'promo_hogar', template_language: 'es', template_parameters: [] } }), 201, 'step');
        return id;
      },
      async enroll(campaignId, contactIds) {
        await ok(await call(`/api/v1/campaigns/${campaignId}/enroll`, { method: 'POST', json: { contact_ids: contactIds } }), 201, 'enroll');
        const list = await ok(await call(`/api/v1/campaigns/${campaignId}/contacts?limit=200`), 200, 'enrollments');
        const byContact = new Map((list.data as Json[]).map((e) => [e.contact_id as string, e.id as string]));
        return contactIds.map((c) => byContact.get(c)!);
      },
      async logSend({ waId, campaignId, enrollmentId, step, wamid, at }) {
        const outboundId = `cmp.${enrollmentId}.${step}`;
        const log = road.deps.conversations.log;
        // As the sender does before it queues a step (src/campaigns/recent-sends.ts).
        await createRecentCampaignSends(road.deps.redis, road.deps.keyPrefix).mark(conversationKey(NUMBER, waId));
        await log.logQueued({ outboundId, conversationKey: conversationKey(NUMBER, waId), phoneNumberId: NUMBER, waId, direction: 'outbound', author: 'system', type: 'template', text: '[template promo_hogar]', campaignId, enrollmentId, campaignStep: step, at });
        await log.markAccepted(outboundId, wamid, at, NUMBER);
      },
      async enrollment(id) {
        const doc = await road.deps.mongo.connection.collection('campaign_enrollments').findOne({ _id: id as never }, { projection: { _outbox: 0 } });
        return (doc ?? {}) as Json;
      },
      async post(body) {
        const res = await road.postWebhook(body);
        if (res.status !== 200) throw new Error(`webhook: ${res.status}`);
      },
    };
  };
}

/** Waits until the enrollment's `field` is set; returns the enrollment. */
export async function enrollmentWith(r: Receiving, id: string, field: string, timeoutMs = 10_000): Promise<Json> {
  let doc: Json = {};
  await waitFor(async () => (doc = await r.enrollment(id))[field] !== undefined, timeoutMs, `${field} on ${id}`);
  return doc;
}

/** The campaign's per-step activities as stored. */
export async function stepActivities(r: Receiving, campaignId: string): Promise<Json[]> {
  return (await r.road.deps.mongo.connection.collection('campaign_activities').find({ campaign_id: campaignId }).sort({ step: 1, at: 1, type: 1 }).toArray()) as unknown as Json[];
}

export const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
