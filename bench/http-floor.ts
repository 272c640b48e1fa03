/**
 * The floor of an outbound webhook delivery on this machine: keep-alive `node:http` POSTs of a
 * signed event body (HMAC-SHA256 over "<t>.<body>", as src/webhooks/signature.ts signs) from this
 * process to 10 endpoints in a child process, 8 in flight per endpoint, with no queue, log or
 * ordering at all. It prints the rate and the CPU per request on each side: what issue 17's
 * fan-out figure (10,000 deliveries/s on two cores) must fit in besides everything else.
 *
 *   npx tsx bench/http-floor.ts [--seconds 5]
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENDPOINTS = 10;
const IN_FLIGHT_PER_ENDPOINT = 8;

type FromChild = { ports: number[] } | { cpuMs: number };

async function serve(): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as AddressInfo).port);
  }
  process.send?.({ ports } satisfies FromChild);
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 } satisfies FromChild);
  });
}

async function load(seconds: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.execArgv });
  const next = () => new Promise<FromChild>((resolve) => child.once('message', (m) => resolve(m as FromChild)));
  const ready = await next();
  if (!('ports' in ready)) throw new Error('expected the endpoints’ ports');
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT_PER_ENDPOINT });
  const body = JSON.stringify({ id: 'evt_x', event: 'ticket.updated', timestamp: new Date().toISOString(), org_id: 'org', data: { ticket: { id: 'tkt_1', status: 'open', note: 'x'.repeat(300) } } });
  const secret = `whsec_${'a'.repeat(40)}`;
  let done = 0;
  const post = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const t = Math.floor(Date.now() / 1000);
      const signature = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-puente-signature': `t=${t},v1=${signature}` } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  child.send('cpu');
  const childBefore = await next();
  const before = process.cpuUsage();
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    ready.ports.flatMap((port) =>
      Array.from({ length: IN_FLIGHT_PER_ENDPOINT }, async () => {
        while (Date.now() < until) {
          await post(port);
          done++;
        }
      }),
    ),
  );
  const used = process.cpuUsage(before);
  child.send('cpu');
  const childAfter = await next();
  child.kill();
  agent.destroy();
  if (!('cpuMs' in childBefore) || !('cpuMs' in childAfter)) throw new Error('expected CPU readings');
  console.log(
    JSON.stringify({
      requestsPerSecond: Math.round(done / seconds),
      clientCpuMsPerRequest: Number(((used.user + used.system) / 1000 / done).toFixed(3)),
      serverCpuMsPerRequest: Number(((childAfter.cpuMs - childBefore.cpuMs) / done).toFixed(3)),
    }),
  );
}

if (process.argv.includes('--serve')) await serve();
else {
  const at = process.argv.indexOf('--seconds');
  await load(at >= 0 ? Number(process.argv[at + 1]) : 5);
}
