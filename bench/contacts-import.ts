/**
 * Contacts import benchmark (`npx tsx bench/contacts-import.ts`): Puente's HTTP app in this process
 * (real node:http server), the embedded MongoDB-compatible store in a child process (so this
 * process's RSS is Puente's alone; BENCH_MONGO=memory runs it in-process, MONGODB_URI=... uses a
 * real server), Redis at REDIS_URL (default 127.0.0.1:6379). Creates an organization and a key,
 * then imports BENCH_ROWS (100,000) generated CSV rows in requests of 10,000, each body streamed
 * by the client as it is generated, and prints rows/s and RSS (sampled every 100 ms).
 */
import { performance } from 'node:perf_hooks';
import { installCleanup } from './lib/children.js';
import { startInProcessPuente } from './lib/in-process-puente.js';
import { startMongoServer } from './lib/mongo-server.js';

const TOTAL_ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ROWS_PER_REQUEST = 10_000;

/** One request's CSV body, generated as it is sent (`;` separators, a BOM, quoted names with commas). */
function csvBody(from: number, count: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = from;
  const end = from + count;
  let first = true;
  return new ReadableStream({
    pull(controller) {
      const lines: string[] = first ? ['\uFEFFnombre;telefono;correo;etiquetas'] : [];
      first = false;
      for (let k = 0; k < 500 && i < end; k++, i++) lines.push(`"Pérez, C${i}";3${String(i).padStart(9, '0')};c${i}@example.com;bench|lote${Math.floor(i / ROWS_PER_REQUEST)}`);
      controller.enqueue(encoder.encode(lines.join('\n') + '\n'));
      if (i >= end) controller.close();
    },
  });
}

async function main(): Promise<void> {
  installCleanup();
  const mongoChild = process.env.MONGODB_URI ? undefined : process.env.BENCH_MONGO === 'memory' ? undefined : await startMongoServer();
  const mongoUri = process.env.MONGODB_URI ?? mongoChild?.uriFor('bench') ?? 'memory://';
  const puente = await startInProcessPuente({ mongoUri, name: 'contacts' });
  const { deps, base } = puente;

  const org = await deps.apiKeys.store.createOrg('Bench');
  const { key } = await deps.apiKeys.store.issueKey(org._id, { name: 'bench', scopes: ['read', 'write'] });
  const headers = { 'x-api-key': key };
  const imp = (await (await fetch(`${base}/api/v1/imports`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ source: 'bench' }) })).json()) as { id: string };

  const rssSamples: number[] = [];
  const sample = () => rssSamples.push(process.memoryUsage().rss);
  sample();
  const rssBefore = process.memoryUsage().rss;
  const sampler = setInterval(sample, 100);
  const perRequest: { rows: number; ms: number; rssMiB: number }[] = [];
  const started = performance.now();
  let created = 0;
  let failed = 0;
  for (let from = 0; from < TOTAL_ROWS; from += ROWS_PER_REQUEST) {
    const count = Math.min(ROWS_PER_REQUEST, TOTAL_ROWS - from);
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/contacts/bulk`, {
      method: 'POST',
      headers: { ...headers, 'x-import-id': imp.id, 'content-type': 'text/csv; charset=utf-8' },
      body: csvBody(from, count),
      duplex: 'half',
    } as RequestInit);
    const body = (await res.json()) as { created: number; failed: number };
    if (res.status !== 200) throw new Error(`bulk answered ${res.status}: ${JSON.stringify(body)}`);
    created += body.created;
    failed += body.failed;
    perRequest.push({ rows: count, ms: performance.now() - t0, rssMiB: process.memoryUsage().rss / 2 ** 20 });
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();

  const got = (await (await fetch(`${base}/api/v1/imports/${imp.id}`, { headers })).json()) as { created: number; updated: number; failed: number };
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const peak = Math.max(...rssSamples);
  console.log(`contacts import: ${TOTAL_ROWS} rows in ${perRequest.length} CSV requests of ${ROWS_PER_REQUEST}, mongo ${mongoChild ? 'embedded (child process)' : mongoUri === 'memory://' ? 'embedded (in-process)' : 'external'}`);
  console.log(`  total ${seconds.toFixed(2)} s → ${Math.round(TOTAL_ROWS / seconds)} rows/s (created ${created}, failed ${failed}; import says created ${got.created}, updated ${got.updated}, failed ${got.failed})`);
  console.log(`  per request (ms): ${perRequest.map((r) => Math.round(r.ms)).join(', ')}`);
  console.log(`  RSS: before ${mib(rssBefore)} MiB, peak ${mib(peak)} MiB, after each request ${perRequest.map((r) => r.rssMiB.toFixed(0)).join(', ')} MiB (${rssSamples.length} samples)`);

  await puente.stop();
  await mongoChild?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
