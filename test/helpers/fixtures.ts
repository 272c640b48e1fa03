import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared WhatsApp fixtures live outside the repo, at /work/shared/whatsapp/fixtures
 * (the repo is /work/main, so from test/helpers/ that is three levels up).
 */
export const FIXTURES_DIR = new URL('../../../shared/whatsapp/fixtures/', import.meta.url);

/** The exact text of a fixture file, e.g. `readFixture('inbound-text.json')`. */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES_DIR), 'utf8');
}

/** A fixture parsed as JSON; a fresh object on every call, so tests may mutate it. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** Every `.json` fixture name, sorted. */
export function listFixtures(): string[] {
  return readdirSync(fileURLToPath(FIXTURES_DIR))
    .filter((name) => name.endsWith('.json'))
    .sort();
}
