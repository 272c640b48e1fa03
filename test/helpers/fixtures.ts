import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The repository's own WhatsApp Cloud API payloads: `test/fixtures/whatsapp/`, described in its
 * README.md (what each file shows, and the signature test vector).
 */
export const FIXTURES_DIR = new URL('../fixtures/whatsapp/', import.meta.url);

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
