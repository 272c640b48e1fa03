/** The markdown report: machine info, one table per scenario, notes; printed and written to a file. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LogDigest } from './puente-process.js';
import type { ProbeReport } from './puente-probe.js';
import type { LatencySummary } from './stats.js';

/** One line of a scenario table. `pass` is shown only when the metric has a target. */
export interface ReportRow {
  metric: string;
  value: string;
  target?: string;
  pass?: boolean;
}

/** What a scenario hands back to the report. */
export interface ScenarioReport {
  title: string;
  rows: ReportRow[];
  notes: string[];
}

/** Formats a number with a fixed number of decimals (`n/a` for NaN). */
export function fmt(n: number, decimals = 1): string {
  if (n === Infinity) return '∞';
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }) : 'n/a';
}

/** `p50 / p99 (max)` of a latency summary, in ms. */
export function fmtLatency(s: LatencySummary): string {
  return s.count === 0 ? 'n/a' : `${fmt(s.p50)} / ${fmt(s.p99)} ms (max ${fmt(s.max)})`;
}

/** `{"200":10,"503":1}` → `200×10, 503×1`. */
export function fmtCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([k, v]) => `${k}×${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** `Puente 98 %, Redis 21 %, …` (CPU % of one core per process). */
export function fmtCpu(shares: Record<string, number>): string {
  return Object.entries(shares)
    .map(([name, pct]) => `${name} ${fmt(pct, 0)} %`)
    .join(', ');
}

/** CPU milliseconds per message of a process that used `pct` % of a core over `windowMs`. */
export const cpuMsPerMessage = (pct: number, windowMs: number, messages: number): number => ((pct / 100) * windowMs) / messages;

/** CPU milliseconds (of one core) each process spent per message over a window of `windowMs`. */
export function fmtCpuPerMessage(shares: Record<string, number>, windowMs: number, messages: number): string {
  const perMessage = (pct: number) => cpuMsPerMessage(pct, windowMs, messages);
  const total = Object.values(shares).reduce((sum, pct) => sum + (Number.isFinite(pct) ? pct : 0), 0);
  return `${Object.entries(shares).map(([name, pct]) => `${name} ${fmt(perMessage(pct), 2)}`).join(', ')}; all ${fmt(perMessage(total), 2)} ms`;
}

/** Notes summarizing Puente's log output during a scenario. */
export function logNotes(logs: LogDigest): string[] {
  const levels = fmtCounts(logs.byLevel);
  const top = [...logs.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return [`Puente log lines by level: ${levels}.`, ...top.map(([msg, count]) => `Puente log ×${count}: \`${msg.replaceAll('`', "'")}\``)];
}

/** Machine and run facts for the report header. */
export function machineInfo(extra: Record<string, string>): Record<string, string> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memory: `${fmt(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    ...extra,
  };
}

/** Renders the whole report as markdown. */
export function renderReport(info: Record<string, string>, sections: ScenarioReport[]): string {
  const lines = ['# Puente message-road bench', '', ...Object.entries(info).map(([k, v]) => `- **${k}**: ${v}`), ''];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', '| Metric | Value | Target | |', '|---|---|---|---|');
    for (const r of s.rows) {
      const verdict = r.pass === undefined ? '' : r.pass ? '✅' : '❌';
      lines.push(`| ${r.metric} | ${r.value} | ${r.target ?? ''} | ${verdict} |`);
    }
    if (s.notes.length) lines.push('', ...s.notes.map((n) => `- ${n}`));
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes the report, creating the directory. */
export async function writeReport(file: string, markdown: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, markdown, 'utf8');
}

/** Notes describing what the probe saw (see `puente-probe.ts`). */
export function probeNotes(p: ProbeReport): string[] {
  const counters = Object.entries(p.counters).map(([k, v]) => `${k} ${v}`);
  return [
    `Puente responsiveness during the run: /healthz p50 / p99 = ${fmtLatency(p.healthz)}${p.healthzFailures ? `, ${p.healthzFailures} probes failed or took > 5 s` : ''}; event-loop lag p99 ${fmt(p.eventLoopLagP99)} ms, max ${fmt(p.eventLoopLagMax)} ms.`,
    ...(counters.length ? [`Puente counters at the end: ${counters.join(', ')}.`] : []),
  ];
}
