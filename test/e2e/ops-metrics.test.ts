/**
 * What an operator scrapes from the ops listener after real traffic: Graph and CRM call latencies
 * with totals, BullMQ job counts by queue and state, and every mailbox's dead letters.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/redis.js';
import { useRoad } from '../helpers/road.js';
import { recordCrm, userWithOpenTicket } from './support/handover.js';

describe('ops metrics after a conversation that reached the CRM', () => {
  const road = useRoad();

  it('shows the Graph and CRM calls, the queues and the dead letters', async () => {
    recordCrm();
    await userWithOpenTicket(road(), '573720000001');
    const scrape = async () => (await road().ops.request('/metrics')).text();
    // The agent request goes to the CRM from its own lane, after the ticket exists.
    const crmDone = /puente_crm_request_duration_seconds_count\{[^}]*endpoint="agent-request"[^}]*outcome="ok"[^}]*\} 1/;
    await waitFor(async () => crmDone.test(await scrape()), 10_000, 'the CRM call measured');
    const text = await scrape();
    expect(text).toMatch(/puente_graph_request_duration_seconds_count\{[^}]*operation="send"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/puente_crm_request_duration_seconds_count\{[^}]*endpoint="agent-request"[^}]*outcome="ok"[^}]*\} 1/);
    for (const queue of ['lanes', 'outbound', 'crm', 'statuses']) expect(text).toContain(`puente_queue_jobs{queue="${queue}",state="waiting"`);
    for (const mailbox of ['lanes', 'outbound', 'crm']) expect(text).toMatch(new RegExp(`puente_mailbox_dead_letters\\{mailbox="${mailbox}"[^}]*\\} 0`));
  });
});

describe('the example Prometheus alerts in docs/operations.md', () => {
  const road = useRoad();

  it('name only metrics the ops listener serves', async () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/operations.md', import.meta.url)), 'utf8');
    const rules = doc.slice(doc.indexOf('groups:'), doc.indexOf('```', doc.indexOf('groups:')));
    const named = new Set([...rules.matchAll(/\b(puente_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[[{(\s])/g)].map((m) => m[1] as string));
    expect(named.size).toBeGreaterThan(3);
    const served = await (await road().ops.request('/metrics')).text();
    const families = new Set([...served.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] as string));
    for (const name of named) expect(families, `${name} (docs/operations.md) is not served`).toContain(name);
  });
});
