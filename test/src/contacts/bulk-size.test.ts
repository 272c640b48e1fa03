import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './helpers.js';

describe('body limits: bulk uploads get their own, the rest of the API keeps 1 MiB', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h.deps.cleanup());

  it('takes a 10,000-row JSON array of about 1.5 MiB on /contacts/bulk, and refuses 1 MiB elsewhere with 413', async () => {
    const { call } = await h.org('Bulk');
    const created = (await (await call('/api/v1/imports', { method: 'POST', json: { source: 'json' } })).json()) as { id: string };
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ phone: `31${String(10_000_000 + i)}`, name: `Contacto número ${i} con un nombre algo largo`, email: `contacto.${i}@empresa-de-prueba.co` }));
    const body = JSON.stringify(rows);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await call('/api/v1/contacts/bulk', { method: 'POST', body, headers: { 'x-import-id': created.id, 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ created: 10_000, failed: 0 });

    const big = await call('/api/v1/contacts', { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
  }, 60_000);
});
