/**
 * A WhatsApp user's conversation, through the real webhook, lanes, bot and workers, makes their
 * lead and then raises it to MQL: the plans option captures the lead with the qualification
 * answers (workflow score), their words show purchase intent (ai_intent), their replies and the
 * messages they read are engagement — and the debounced rescoring promotes the lead on its own.
 */
import { describe, expect, it } from 'vitest';
import { messageModel } from '../../src/conversations/message-log.js';
import { statusWebhook } from '../helpers/road.js';
import { waitFor } from '../helpers/redis.js';
import { talk, useRoad } from './support/bot-transcript.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghijklmnopqrstu';

describe('lead scoring from a real WhatsApp conversation', () => {
  const road = useRoad({ API_ADMIN_KEY: ADMIN_KEY, LEAD_SCORE_DEBOUNCE_MS: '200' });

  async function defaultOrgKey(): Promise<string> {
    const res = await road().app.request('/api/v1/admin/orgs/default/api-keys', { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sales', scopes: ['read', 'write'] }) });
    return ((await res.json()) as { key: string }).key;
  }
  const api = async (key: string, path: string) => (await road().app.request(path, { headers: { 'x-api-key': key } })).json() as Promise<Record<string, unknown>>;

  it('plans → name → three "sí" → intent words → reads: the lead rises to MQL with every score explained', async () => {
    const key = await defaultOrgKey();
    const waId = '573600000901';
    const user = talk(road(), waId, 'Lau');
    await user.say('hola');
    await user.say('4');
    await user.say('2');
    await user.say('Laura Gómez');
    await user.say('sí');
    await user.say('sí');
    await user.say('sí');

    const leadOf = async () => ((await api(key, `/api/v1/leads/search?query=${waId}`)).data as Record<string, unknown>[])[0];
    await waitFor(async () => (await leadOf())?.qualification_status !== undefined && (await leadOf())?.qualification_status !== null, 10_000, 'the lead is scored');
    const captured = (await leadOf())!;
    expect(captured).toMatchObject({
      source: 'whatsapp',
      contact: { name: 'Laura Gómez', phone: waId },
      qualification_data: { budget_confirmed: true, timeline_defined: true, decision_maker_involved: true },
      custom_fields: { plan_id: 'hogar-300' },
    });

    await user.say('Quiero contratar ya mismo, ¿cuál es el precio de la instalación? Es urgente');
    // The user reads everything the bot sent them.
    const sent = await messageModel(road().deps.mongo.connection).find({ waId, direction: 'outbound', wamid: { $exists: true } }).lean();
    expect(sent.length).toBeGreaterThanOrEqual(6);
    const now = Math.floor(Date.now() / 1000);
    for (const m of sent) expect((await road().postWebhook(statusWebhook(m.wamid!, 'read', waId, now))).status).toBe(200);

    const id = String(captured.id);
    type Scores = Record<string, { latest_score: number; factors: Record<string, { count?: number } & Record<string, unknown>> }>;
    const scoresOf = async () => (await api(key, `/api/v1/leads/${id}/scores`)).scores_by_type as Scores;
    // Statuses are applied by their own workers: wait until every read is in a scoring run.
    await waitFor(async () => (await scoresOf()).engagement?.factors.reads?.count === sent.length, 15_000, 'every read scored');
    await waitFor(async () => (await api(key, `/api/v1/leads/${id}`)).stage === 'mql', 15_000, 'the lead reaches mql');
    const lead = await api(key, `/api/v1/leads/${id}`);
    expect(lead).toMatchObject({ stage: 'mql', qualification_status: 'qualified' });
    expect(lead.score).toBeGreaterThanOrEqual(75);
    expect((lead.stage_history as Record<string, unknown>[]).at(-1)).toMatchObject({ from: 'lead', to: 'mql', by: 'scoring' });

    const scores = await scoresOf();
    expect(scores.workflow).toMatchObject({ latest_score: 100 });
    expect(scores.ai_intent!.latest_score).toBeGreaterThanOrEqual(80);
    const intents = (scores.ai_intent!.factors.intents as unknown as { intent: string }[]).map((i) => i.intent);
    expect(intents).toEqual(expect.arrayContaining(['purchase', 'pricing', 'installation']));
    expect(scores.engagement!.factors).toMatchObject({ reads: { count: sent.length }, replies: { count: 8 } });
    expect(scores.combined!.latest_score).toBe(lead.score);
  });
});
