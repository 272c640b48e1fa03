import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../helpers/deps.js';
import { event, startReceiver, waitFor, webhookHarness, type Receiver, type WebhookHarness } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A worker process SIGKILLed in the middle of a delivery (the endpoint holds the request) loses
 * nothing: the next worker resumes the lane at that delivery (sent again, same delivery id) and
 * delivers the rest, in order.
 */
describe('a webhook worker killed with SIGKILL between publish and delivery', () => {
  let h: WebhookHarness;
  let receiver: Receiver;
  const children: ChildProcess[] = [];
  let hangOn = '';
  let hung = false;

  const spawnWorker = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/src/webhooks/fixtures/webhook-worker-entry.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...testEnv, REDIS_URL: h.deps.config.REDIS_URL, MONGODB_URI: h.deps.config.MONGODB_URI, TEST_KEY_PREFIX: h.deps.keyPrefix, PUENTE_ROLE: 'worker', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      out += chunk.toString();
      if (out.includes('READY')) return child;
    }
    throw new Error(`the webhook worker did not start: ${out}`);
  };

  beforeAll(async () => {
    // No workers here: this process publishes, the children deliver.
    h = await webhookHarness({ workers: false });
    receiver = await startReceiver((req) => {
      if (req.json.event === 'webhook.verification') return { status: 200, body: String(req.json.data.challenge) };
      if (req.json.id === hangOn && !hung) {
        hung = true;
        return 'hang';
      }
      return { status: 200 };
    });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await receiver.close();
    await h.stop();
  });

  it('loses nothing and keeps each resource in order', async () => {
    const { orgId, call } = await h.org();
    const first = await spawnWorker();
    const created = (await (await call('/api/v1/webhooks', { method: 'POST', json: { url: receiver.url, events: ['*'] } })).json()) as { id: string };
    await waitFor(async () => ((await (await call(`/api/v1/webhooks/${created.id}`)).json()) as { status: string }).status === 'active', 15_000, 'verified by the child');
    await new Promise((r) => setTimeout(r, 300)); // the parent's subscription cache (200 ms)

    const events = Array.from({ length: 5 }, (_, seq) => ['TK-X', 'TK-Y'].map((id) => event(orgId, 'ticket.updated', { type: 'ticket', id }, { ticket: id, seq }))).flat();
    hangOn = events[4]!.id; // TK-X, seq 2
    await h.webhooks.sink.publish(events);
    await waitFor(() => hung, 15_000, 'the endpoint holds a delivery');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    await spawnWorker();
    const ids = () => new Set(receiver.of('ticket.updated').map((r) => r.json.id));
    await waitFor(() => events.every((e) => ids().has(e.id)) && receiver.requests.filter((r) => r.json.id === hangOn).length === 2, 30_000, 'every event delivered');
    for (const id of ['TK-X', 'TK-Y']) {
      const seqs = receiver
        .of('ticket.updated')
        .filter((r) => r.json.data.ticket === id)
        .map((r) => Number(r.json.data.seq));
      expect(seqs.filter((s, i) => seqs.indexOf(s) === i), id).toEqual([0, 1, 2, 3, 4]);
    }
    // The interrupted delivery was sent again with its own delivery id.
    const resent = receiver.requests.filter((r) => r.json.id === hangOn);
    expect(resent[0]!.headers['x-puente-delivery']).toBe(resent[1]!.headers['x-puente-delivery']);
    type Log = { data: { status: string }[]; total: number };
    await waitFor(async () => ((await (await call(`/api/v1/webhooks/${created.id}/deliveries?event=ticket.updated&status=delivered`)).json()) as Log).total === 10, 10_000, 'all 10 logged as delivered');
  }, 90_000);
});
