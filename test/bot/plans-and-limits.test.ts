import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLimitViolations } from '../../bot/message-limits.js';
import { loadPlansCatalog, parsePlansCatalog } from '../../bot/plans.js';

const plan = { id: 'hogar-100', name: 'Hogar 100 Mbps', speedMbps: 100, monthlyPriceCop: 69900, description: 'Para navegar' };

describe('plans catalog', () => {
  it('loads and validates the shipped catalog', () => {
    const catalog = loadPlansCatalog();
    expect(catalog.plans.length).toBeGreaterThanOrEqual(3);
    expect(catalog.plans.every((p) => p.monthlyPriceCop > 0)).toBe(true);
  });

  it('rejects a catalog whose plan would not fit a list row, naming the field', () => {
    const bad = { plans: [{ ...plan, name: 'Plan Hogar Fibra Óptica Ilimitado' }] };
    expect(() => parsePlansCatalog(bad)).toThrow(/plans\.0\.name: at most 24 characters/);
  });

  it('rejects duplicate ids, ids that cannot go into a reply id, and more than 10 plans', () => {
    expect(() => parsePlansCatalog({ plans: [plan, plan] })).toThrow(/unique/);
    expect(() => parsePlansCatalog({ plans: [{ ...plan, id: 'Hogar 100' }] })).toThrow(/plans\.0\.id/);
    const many = Array.from({ length: 11 }, (_, i) => ({ ...plan, id: `p-${i}` }));
    expect(() => parsePlansCatalog({ plans: many })).toThrow(/plans/);
  });

  it('fails start-up with a clear error for a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const file = join(dir, 'plans.json');
    writeFileSync(file, '{ "plans": [');
    expect(() => loadPlansCatalog(file)).toThrow(/cannot be read as JSON/);
  });
});

describe("Meta's message limits", () => {
  it('accepts a message within the limits', () => {
    expect(findLimitViolations({ kind: 'buttons', body: 'Hola', buttons: [{ id: 'a', title: 'Sí' }, { id: 'b', title: 'No' }] })).toEqual([]);
  });

  it('flags long titles, too many buttons and rows, duplicates and long bodies', () => {
    const tooManyButtons = findLimitViolations({
      kind: 'buttons',
      body: 'x'.repeat(1025),
      buttons: [1, 2, 3, 4].map((i) => ({ id: 'same', title: i === 1 ? 'Un título demasiado largo' : `B${i}` })),
    });
    expect(tooManyButtons).toEqual(expect.arrayContaining([
      'body: 1025 > 1024', 'buttons: 4 not in 1..3', 'buttons[0].title: 25 > 20', 'buttons: duplicate id "same"',
    ]));
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: 'x'.repeat(25), description: 'y'.repeat(73) }));
    const list = findLimitViolations({ kind: 'list', body: 'Hola', button: 'Un botón demasiado largo', sections: [{ rows }] });
    expect(list).toEqual(expect.arrayContaining(['rows: 11 not in 1..10', 'rows[0].title: 25 > 24', 'rows[0].description: 73 > 72', 'button: 24 > 20']));
  });

  it('counts an emoji as one character, like Meta', () => {
    expect(findLimitViolations({ kind: 'buttons', body: 'Hola', buttons: [{ id: 'a', title: '👋'.repeat(20) }] })).toEqual([]);
  });
});
