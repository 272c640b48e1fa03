/**
 * Watches a running Puente from outside during a scenario: `/healthz` latency every 250 ms (how
 * responsive its event loop and HTTP stack stay) and, from `/metrics`, event-loop lag over the window
 * plus the counters that reveal trouble (sends by result, dead letters, unhandled errors).
 */
import http from 'node:http';
import { nowMs, sleep } from './clock.js';
import { summarize, type LatencySummary } from './stats.js';

/** What the probe saw over its window. */
export interface ProbeReport {
  healthz: LatencySummary;
  /** `/healthz` probes that failed or took over 5 s. */
  healthzFailures: number;
  /** Event-loop lag p99 and max (ms) over the window, from prom-client's default metrics. */
  eventLoopLagP99: number;
  eventLoopLagMax: number;
  /** Selected counters at the end: `puente_whatsapp_sends_total{result="accepted"}` → value, … */
  counters: Record<string, number>;
}

const INTERESTING = /^(puente_whatsapp_sends_total|puente_whatsapp_send_failures_total|puente_dead_letters_total|puente_http_unhandled_errors_total)\b/;

function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

/**
 * Starts probing `baseUrl` (e.g. `http://127.0.0.1:3000`; `/healthz` on the public listener) and
 * `opsUrl` (its ops listener, where `/metrics` is); call the returned function to stop and read the report.
 */
export async function startProbe(baseUrl: string, opsUrl: string): Promise<() => Promise<ProbeReport>> {
  await get(`${opsUrl}/metrics`, 5_000); // prom-client resets its event-loop histogram on every scrape
  const samples: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    // Bounded by `running` (set by the stop function) and by one probe per 250 ms.
    while (running) {
      const t0 = nowMs();
      const res = await get(`${baseUrl}/healthz`, 5_000);
      if (res.status === 200) samples.push(nowMs() - t0);
      else failures++;
      await sleep(Math.max(0, 250 - (nowMs() - t0)));
    }
  })();
  return async () => {
    running = false;
    await loop;
    const metrics = (await get(`${opsUrl}/metrics`, 10_000)).body;
    const counters: Record<string, number> = {};
    for (const line of metrics.split('\n')) {
      if (!INTERESTING.test(line)) continue;
      const [key, value] = [line.slice(0, line.lastIndexOf(' ')).replace(/,?service="puente"/, '').replace('{}', ''), Number(line.slice(line.lastIndexOf(' ') + 1))];
      counters[key] = value;
    }
    return {
      healthz: summarize(samples),
      healthzFailures: failures,
      eventLoopLagP99: metricValue(metrics, 'nodejs_eventloop_lag_p99_seconds'),
      eventLoopLagMax: metricValue(metrics, 'nodejs_eventloop_lag_max_seconds'),
      counters,
    };
  };
}
