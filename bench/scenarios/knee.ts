/**
 * The knee: the e2e scenario at each rate of `--knee-rates`, ascending, each against a fresh Puente
 * warmed with `--e2e-warmup` seconds of the same rate to other users. The knee is the highest rate
 * that, with every lower rate of the sweep, keeps first-reply p99 under {@link KNEE_P99_MS} (a
 * higher rate that passes after one that failed is reported apart: on a noisy machine one 5 s window
 * can be lucky); the sweep stops after two rates in a row
 * that miss it by far (the rates above them only take longer to fail; one such rate may be noise).
 */
import type { BenchContext } from '../lib/context.js';
import { fmt, type ReportRow, type ScenarioReport } from '../lib/report.js';
import { e2eScenario } from './e2e.js';

/** The knee is the highest rate with first-reply p99 under this (ms). */
export const KNEE_P99_MS = 250;
/** A rate whose p99 is this many times the bound ends the sweep. */
const GIVE_UP_FACTOR = 4;

export async function kneeScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const { rates, seconds } = ctx.options.knee;
  const warmupSeconds = ctx.options.e2e.warmupSeconds;
  const rows: ReportRow[] = [];
  const notes: string[] = [];
  let knee: number | undefined;
  let failedBelow = false;
  const passedAbove: number[] = [];
  let farMisses = 0;
  for (const rate of rates) {
    ctx.log(`knee: ${rate} msg/s`);
    const run = await e2eScenario(ctx, { rate, seconds, warmupSeconds });
    const under = run.latency.p99 < KNEE_P99_MS;
    if (under && !failedBelow) knee = rate;
    else if (under) passedAbove.push(rate);
    else failedBelow = true;
    const lost = run.rows.find((r) => r.metric.startsWith('Acked messages without a reply'))?.value ?? '?';
    rows.push({ metric: `${fmt(rate, 0)} msg/s: first reply p50 / p99 · Puente CPU ms per exchange · lost`, value: `${fmt(run.latency.p50)} / ${fmt(run.latency.p99)} ms · ${fmt(run.puenteCpuMs, 2)} ms · ${lost}`, target: `p99 < ${KNEE_P99_MS} ms`, pass: under });
    const cpuRow = run.rows.find((r) => r.metric.startsWith('CPU ms per exchange'));
    if (cpuRow) notes.push(`${fmt(rate, 0)} msg/s — CPU ms per exchange by process: ${cpuRow.value}`);
    farMisses = run.latency.p99 >= KNEE_P99_MS * GIVE_UP_FACTOR ? farMisses + 1 : 0;
    if (farMisses === 2) {
      notes.push(`Stopped after ${fmt(rate, 0)} msg/s: two rates in a row had p99 ${GIVE_UP_FACTOR}× the bound or more; higher rates were not run.`);
      break;
    }
  }
  const lucky = passedAbove.length ? ` (also under it after a miss: ${passedAbove.join(', ')} msg/s)` : '';
  rows.push({ metric: `Knee: highest rate with first-reply p99 < ${KNEE_P99_MS} ms, every lower rate too`, value: `${knee === undefined ? `none of ${rates.join(', ')} msg/s` : `${fmt(knee, 0)} msg/s`}${lucky}` });
  return {
    title: `Knee: e2e at ${rates.join(', ')} msg/s, ${seconds} s each after ${warmupSeconds} s of warm-up, a fresh Puente per rate`,
    rows,
    notes: [`Each rate: new users' first messages, open loop, webhook → first reply at the fake Graph (${ctx.fake.delayMs} ms answers), as the e2e scenario; PUENTE_WORKER_PROCESSES=${ctx.options.workerProcesses}.`, ...notes],
  };
}
