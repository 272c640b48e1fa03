/**
 * The top frames of V8 CPU profiles (`npm run bench -- --profile` writes them to
 * bench/results/profiles/): self time by function and by file or package, as a markdown table —
 * what a flame graph shows at its widest, in a form a logbook entry can keep.
 *
 *   npx tsx bench/profile-top.ts bench/results/profiles/CPU.*.cpuprofile [--top 25]
 *
 * Several files (e.g. Puente's HTTP process and its worker process) are listed one after another.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** `node_modules/bullmq/…` → `bullmq`; a project file → its path from the repo; V8 internals → `(program)` etc. */
function owner(url: string): string {
  if (!url) return '(native / V8)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (file.startsWith('node:')) return file;
  return path.relative(process.cwd(), file);
}

/** Self time (µs) per node id, from the samples and their time deltas. */
function selfTimes(profile: Profile): Map<number, number> {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the interval after it to sample i.
    const dt = deltas[i + 1] ?? 0;
    self.set(samples[i] as number, (self.get(samples[i] as number) ?? 0) + Math.max(0, dt));
  }
  return self;
}

function table(title: string, rows: [string, number][], totalUs: number, top: number): string {
  const lines = [`| ${title} | self ms | % |`, '|---|---:|---:|'];
  for (const [name, us] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`| ${name.replaceAll('|', '\\|')} | ${(us / 1000).toFixed(0)} | ${((us / totalUs) * 100).toFixed(1)} |`);
  return lines.join('\n');
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = selfTimes(profile);
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = owner(url);
    const fn = `${functionName || '(anonymous)'} — ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byOwner.set(where, (byOwner.get(where) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  return [
    `### ${path.basename(file)}`,
    '',
    `${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(1)} s busy (idle excluded from the shares below).`,
    '',
    table('By file or package', [...byOwner], busyUs, top),
    '',
    table('By function', [...byFunction], busyUs, top),
    '',
  ].join('\n');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length === 0) {
  console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile>... [--top N]');
  process.exit(2);
}
for (const file of positionals) console.log(summarize(file, Number(values.top)));
