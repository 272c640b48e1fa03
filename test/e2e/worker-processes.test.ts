import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/http-app.js';
import { signBody } from '../../src/whatsapp/signature.js';
import { createTestDeps, testEnv, type TestDeps } from '../helpers/deps.js';
import { startFakeGraph } from '../helpers/fake-graph-server.js';
import { mongoUriFor, uniqueDbName } from '../helpers/mongo.js';
import { TEST_REDIS_URL, waitFor } from '../helpers/redis.js';
import { textWebhook } from '../helpers/road.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Webhooks go in through the real HTTP app; the work is done only by worker child processes. */
async function setup(graph: { hang?: (b: { biz_opaque_callback_data?: string }) => boolean; delayMs?: number } = {}) {
  const fake = await startFakeGraph(graph);
  const prefix = `test-${randomUUID()}`;
  const mongoUri = mongoUriFor(uniqueDbName('workers'));
  const env = { ...process.env, ...testEnv, WHATSAPP_API_URL: fake.url, REDIS_URL: TEST_REDIS_URL, MONGODB_URI: mongoUri, PUENTE_ROLE: 'worker', TEST_KEY_PREFIX: prefix, WHATSAPP_MAX_MPS: '1000', LOG_LEVEL: 'warn' };
  const deps: TestDeps = await createTestDeps({ MONGODB_URI: mongoUri, WHATSAPP_API_URL: fake.url }, undefined, prefix);
  const app = createApp(deps);
  const children: ChildProcess[] = [];
  const startWorker = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/worker-entry.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('READY'), 20_000, 'worker ready');
    return child;
  };
  cleanups.push(async () => {
    for (const c of children) c.kill('SIGKILL');
    await deps.cleanup();
    await fake.close();
  });
  const post = (body: object) => {
    const raw = JSON.stringify(body);
    return app.request('/webhook', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
  };
  return { fake, post, startWorker };
}

describe('conversation lanes across worker processes', () => {
  it('keeps every user in order with two worker processes sharing the lanes', async () => {
    const { fake, post, startWorker } = await setup({ delayMs: 5 });
    await Promise.all([startWorker(), startWorker()]);
    const users = Array.from({ length: 20 }, (_, i) => `5734000000${String(i).padStart(2, '0')}`);
    for (let n = 0; n < 5; n++) await Promise.all(users.map((u) => post(textWebhook(u, `wamid.two-${u}-${n}`, `m${n}`))));
    await waitFor(() => fake.acceptedReplies().length === 100, 30_000, '100 replies');
    for (const u of users) {
      const order = fake.acceptedReplies().filter((r) => r.body.to === u).map((r) => r.body.biz_opaque_callback_data);
      expect(order).toEqual([0, 1, 2, 3, 4].map((n) => `wamid.two-${u}-${n}`));
    }
  }, 60_000);

  it('loses and duplicates nothing when a worker is SIGKILLed while a send is in flight', async () => {
    const { fake, post, startWorker } = await setup({ hang: (b) => b.biz_opaque_callback_data === 'wamid.kill-1' });
    const victim = await startWorker();
    const user = '573400009999';
    for (let n = 0; n < 4; n++) await post(textWebhook(user, `wamid.kill-${n}`, `m${n}`));
    await waitFor(() => fake.requests.some((r) => r.body.biz_opaque_callback_data === 'wamid.kill-1'), 20_000, 'the hung send');
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    await startWorker();
    // Recovery takes the stalled-job check plus, for the send that was in flight, its claim's expiry (20 s).
    await waitFor(() => fake.acceptedReplies().filter((r) => r.body.to === user).length >= 4, 45_000, 'all replies after recovery');
    await new Promise((r) => setTimeout(r, 1_000)); // a duplicate would show up here
    const replies = fake.acceptedReplies().filter((r) => r.body.to === user).map((r) => r.body.biz_opaque_callback_data);
    expect(replies).toEqual(['wamid.kill-0', 'wamid.kill-1', 'wamid.kill-2', 'wamid.kill-3']);
  }, 90_000);
});
