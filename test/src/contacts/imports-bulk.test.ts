import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './helpers.js';

type Org = Awaited<ReturnType<Harness['org']>>;
type Json = Record<string, unknown>;
interface BulkResult {
  created: number;
  updated: number;
  failed: number;
  errors: { row: number; code: string; message: string }[];
}

describe('imports and bulk upload (/api/v1/imports, /api/v1/contacts/bulk)', () => {
  let h: Harness;
  let acme: Org;

  beforeAll(async () => {
    h = await harness();
    acme = await h.org('Acme');
  });
  afterAll(async () => h.deps.cleanup());

  const newImport = async (json: unknown = { source: 'salesforce', name: 'Feria' }) => {
    const res = await acme.call('/api/v1/imports', { method: 'POST', json });
    expect(res.status).toBe(201);
    return (await res.json()) as Json & { id: string };
  };
  const bulkJson = (importId: string, rows: unknown) => acme.call('/api/v1/contacts/bulk', { method: 'POST', json: rows, headers: { 'x-import-id': importId } });
  const bulkCsv = (importId: string, csv: string | Uint8Array) => acme.call('/api/v1/contacts/bulk', { method: 'POST', body: csv, headers: { 'x-import-id': importId, 'content-type': 'text/csv; charset=utf-8' } });

  it('creates an import, takes rows, reports counts and errors, and is marked completed', async () => {
    const imp = await newImport();
    expect(imp).toMatchObject({ status: 'processing', source: 'salesforce', name: 'Feria', created: 0, updated: 0, failed: 0, errors: [], total_rows: null });
    expect(imp.id).toMatch(/^imp_/);
    const res = await bulkJson(imp.id, [
      { phone: '3101000001', name: 'Uno', email: 'uno@example.com', tags: ['Feria'] },
      { phone: 'garbage', name: 'Malo' },
      { phone: '3101000003', opt_in_status: 'opted_in', opt_in_source: 'feria' },
      { phone: '3101000004', opt_in_status: 'nope' },
      'not an object',
      { phone: '3101000006', email: 'UNO@example.com' },
    ]);
    expect(res.status).toBe(200);
    const result = (await res.json()) as BulkResult;
    expect(result).toMatchObject({ created: 2, updated: 0, failed: 4 });
    expect(result.errors.map((e) => [e.row, e.code])).toEqual([[2, 'INVALID_VALUE'], [4, 'INVALID_VALUE'], [5, 'VALIDATION_ERROR'], [6, 'CONFLICT']]);
    expect(result.errors[0]?.message).toContain('phone');
    expect(result.errors[3]?.message).toMatch(/belongs to contact ct_/);

    const got = (await (await acme.call(`/api/v1/imports/${imp.id}`)).json()) as Json;
    expect(got).toMatchObject({ created: 2, updated: 0, failed: 4, errors: result.errors });
    const members = (await (await acme.call(`/api/v1/contacts?import_id=${imp.id}`)).json()) as { data: Json[] };
    expect(members.data.map((c) => c.phone).sort()).toEqual(['573101000001', '573101000003']);
    expect(members.data.find((c) => c.phone === '573101000001')).toMatchObject({ source: 'salesforce', tags: ['feria'], import_ids: [imp.id] });
    expect(members.data.find((c) => c.phone === '573101000003')).toMatchObject({ opt_in_status: 'opted_in', consent_history: [{ from: null, to: 'opted_in', source: 'feria' }] });

    const put = await acme.call(`/api/v1/imports/${imp.id}`, { method: 'PUT', json: { status: 'completed', total_rows: 6 } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ status: 'completed', total_rows: 6, created: 2 });
    // A completed import takes no more rows until it is set back to processing.
    expect((await bulkJson(imp.id, [{ phone: '3101000009' }])).status).toBe(409);
    expect((await acme.call(`/api/v1/imports/${imp.id}`, { method: 'PUT', json: { status: 'done' } })).status).toBe(422);
    expect((await acme.call(`/api/v1/imports/${imp.id}`, { method: 'PUT', json: { total_rows: 3 } })).status).toBe(400);
    expect((await acme.call('/api/v1/imports', { method: 'POST', json: {} })).status).toBe(400);
    expect((await acme.call('/api/v1/imports/imp_nope')).status).toBe(404);
    expect((await acme.call('/api/v1/imports/imp_nope', { method: 'PUT', json: { status: 'failed' } })).status).toBe(404);
  });

  it('re-sent rows update (never duplicate), add the second import and record consent changes', async () => {
    const first = await newImport({ source: 'hubspot' });
    const rows = [{ phone: '3102000001', name: 'A', tags: ['x'] }, { phone: '3102000002', name: 'B' }];
    expect(await (await bulkJson(first.id, rows)).json()).toMatchObject({ created: 2, updated: 0, failed: 0 });
    expect(await (await bulkJson(first.id, rows)).json()).toMatchObject({ created: 0, updated: 2, failed: 0 });
    const second = await newImport({ source: 'csv' });
    const again = await bulkJson(second.id, [{ phone: '+57 310 200 0001', name: 'A2', tags: ['y'], opt_in_status: 'opted_out', opt_in_source: 'call' }]);
    expect(await again.json()).toMatchObject({ created: 0, updated: 1 });
    const all = (await (await acme.call('/api/v1/contacts?q=3102000001')).json()) as { total: number; data: Json[] };
    expect(all.total).toBe(1);
    expect(all.data[0]).toMatchObject({ name: 'A2', tags: ['x', 'y'], import_ids: [first.id, second.id], source: 'hubspot', opt_in_status: 'opted_out', consent_history: [{ from: 'unknown', to: 'opted_out', source: 'call' }] });
    expect(await (await acme.call(`/api/v1/imports/${first.id}`)).json()).toMatchObject({ created: 2, updated: 2 });
    // The same phone twice in one request: the second row updates the first.
    expect(await (await bulkJson(second.id, [{ phone: '3102000003', name: 'C' }, { phone: '3102000003', name: 'C2' }])).json()).toMatchObject({ created: 1, updated: 1 });
  });

  it('reads CSV with a BOM, ; separators, quoted commas, quotes and newlines, aliases and custom columns', async () => {
    const imp = await newImport({ source: 'excel' });
    const csv = '\uFEFFNombre;Teléfono;Correo;Empresa;Etiquetas;Plan;Notas\r\n' +
      '"Pérez; María";300 300 0001;maria@example.com;"Acme, SAS";"vip|Bogotá";hogar-300;"línea 1\nlínea 2 con ""comillas"""\r\n' +
      'Juan;+1 212 736 5000;;;;;\r\n' +
      'Malo;12;;;;;\r\n';
    const res = await bulkCsv(imp.id, csv);
    expect(res.status).toBe(200);
    const result = (await res.json()) as BulkResult;
    expect(result).toMatchObject({ created: 2, updated: 0, failed: 1, errors: [{ row: 3, code: 'INVALID_VALUE' }] });
    const maria = (await (await acme.call('/api/v1/contacts?q=maria@example.com')).json()) as { data: Json[] };
    expect(maria.data[0]).toMatchObject({ name: 'Pérez; María', phone: '573003000001', company: 'Acme, SAS', tags: ['vip', 'bogotá'], custom_fields: { Plan: 'hogar-300', Notas: 'línea 1\nlínea 2 con "comillas"' }, source: 'excel' });
    const juan = (await (await acme.call('/api/v1/contacts?q=12127365000')).json()) as { data: Json[] };
    expect(juan.data[0]).toMatchObject({ name: 'Juan', email: null });
  });

  it('reads comma-separated CSV with quoted comma tags and an empty-cell re-send that clears nothing', async () => {
    const imp = await newImport({ source: 'csv' });
    const csv = 'phone,name,email,tags\n3103000001,"Doe, Jane",jane@example.com,"a,b"\n';
    expect(await (await bulkCsv(imp.id, csv)).json()).toMatchObject({ created: 1 });
    expect(await (await bulkCsv(imp.id, 'phone,name,email\n3103000001,,\n')).json()).toMatchObject({ updated: 1 });
    const jane = (await (await acme.call('/api/v1/contacts?q=3103000001')).json()) as { data: Json[] };
    expect(jane.data[0]).toMatchObject({ name: 'Doe, Jane', email: 'jane@example.com', tags: ['a', 'b'] });
  });

  it('streams a large CSV body (ReadableStream) in batches', async () => {
    const imp = await newImport({ source: 'stream' });
    const total = 2_300;
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i === 0) controller.enqueue(encoder.encode('phone,name\n'));
        const lines: string[] = [];
        for (let k = 0; k < 100 && i < total; k++, i++) lines.push(`31140${String(i).padStart(5, '0')},N${i}`);
        controller.enqueue(encoder.encode(lines.join('\n') + '\n'));
        if (i >= total) controller.close();
      },
    });
    const res = await h.app.request('/api/v1/contacts/bulk', { method: 'POST', body, headers: { 'x-api-key': acme.key, 'x-import-id': imp.id, 'content-type': 'text/csv' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ created: total, failed: 0 });
  });

  it('keeps the counts right when two bulk requests for one import run at once', async () => {
    const imp = await newImport({ source: 'race' });
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, k) => ({ phone: `3115${String(from + k).padStart(6, '0')}` }));
    // Overlapping halves: 700 distinct phones, 1200 rows in all, sent at the same time.
    const [a, b] = await Promise.all([bulkJson(imp.id, rows(0, 600)), bulkJson(imp.id, rows(100, 600))]);
    const ra = (await a.json()) as BulkResult;
    const rb = (await b.json()) as BulkResult;
    expect(ra.created + rb.created + ra.failed + rb.failed + ra.updated + rb.updated).toBe(1200);
    const got = (await (await acme.call(`/api/v1/imports/${imp.id}`)).json()) as BulkResult;
    expect({ created: got.created, updated: got.updated, failed: got.failed }).toEqual({ created: ra.created + rb.created, updated: ra.updated + rb.updated, failed: ra.failed + rb.failed });
    expect(got.created).toBe(700 - got.failed);
    const members = (await (await acme.call(`/api/v1/contacts?import_id=${imp.id}&limit=1`)).json()) as { total: number };
    expect(members.total).toBe(700);
  });

  it('answers 400 without X-Import-ID, 404 for an unknown one, 415 for another type, 400 for bad JSON, 413 over 10,000 rows', async () => {
    const imp = await newImport();
    const noHeader = await acme.call('/api/v1/contacts/bulk', { method: 'POST', json: [{ phone: '3001234567' }] });
    expect(noHeader.status).toBe(400);
    expect(await noHeader.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: [{ path: 'x-import-id' }] } });
    expect((await bulkJson('imp_unknown', [{ phone: '3001234567' }])).status).toBe(404);
    expect((await acme.call('/api/v1/contacts/bulk', { method: 'POST', body: 'x', headers: { 'x-import-id': imp.id, 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await acme.call('/api/v1/contacts/bulk', { method: 'POST', body: '[{', headers: { 'x-import-id': imp.id, 'content-type': 'application/json' } })).status).toBe(400);
    expect((await bulkJson(imp.id, { phone: '3001234567' })).status).toBe(400);
    const tooMany = await bulkJson(imp.id, Array.from({ length: 10_001 }, () => ({})));
    expect(tooMany.status).toBe(413);
    expect(await (await acme.call(`/api/v1/imports/${imp.id}`)).json()).toMatchObject({ created: 0, failed: 0 });
    // CSV: stops at row 10,001 and reports what was applied.
    const csv = 'phone\n' + Array.from({ length: 10_001 }, (_, k) => `312${String(k).padStart(7, '0')}`).join('\n') + '\n';
    const csvRes = await bulkCsv(imp.id, csv);
    expect(csvRes.status).toBe(413);
    expect(await csvRes.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: { max_rows: 10_000, applied: { created: 10_000 } } } });
    const bad = await bulkCsv(imp.id, 'phone,name\n"3001234567,unterminated\n');
    expect(bad.status).toBe(400);
  }, 60_000);

  it('adds a single contact to an import with X-Import-ID', async () => {
    const imp = await newImport({ source: 'landing' });
    const res = await acme.call('/api/v1/contacts', { method: 'POST', json: { phone: '3130000001' }, headers: { 'x-import-id': imp.id } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ import_ids: [imp.id], source: 'landing' });
    expect((await acme.call('/api/v1/contacts', { method: 'POST', json: { phone: '3130000002' }, headers: { 'x-import-id': 'imp_unknown' } })).status).toBe(404);
  });

  it('documents every route with request and response schemas and an example', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Json>> };
    const ops: [string, string][] = [['/api/v1/imports', 'post'], ['/api/v1/imports/{id}', 'get'], ['/api/v1/imports/{id}', 'put'], ['/api/v1/contacts/bulk', 'post'], ['/api/v1/contacts', 'post'], ['/api/v1/contacts', 'get'], ['/api/v1/contacts/{id}', 'get'], ['/api/v1/contacts/{id}', 'put'], ['/api/v1/contacts/{id}', 'delete']];
    for (const [path, method] of ops) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op?.security).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
      const text = JSON.stringify(op);
      expect(text, `${method} ${path}`).toContain('"example');
    }
    expect(Object.keys((doc.paths['/api/v1/contacts/bulk']?.post?.requestBody as { content: Json }).content)).toEqual(['application/json', 'text/csv']);
  });
});
