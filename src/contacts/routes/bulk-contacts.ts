import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { AppEnv } from '../../platform/http/types.js';
import { BULK_CONTACTS_PATH, importRows, MAX_BULK_ROWS } from '../bulk.js';
import { csvRecordToFields, readCsv } from '../csv.js';
import { bulkResultSchema, contactFieldsSchema } from '../schemas.js';
import { importFor, importIdHeader, type ContactRouteDeps } from './context.js';

const csvExample = '\uFEFFnombre;telefono;correo;empresa;etiquetas;plan\n"Pérez, María";300 123 4567;maria@example.com;Acme SAS;vip|bogota;hogar-300\n';

export const bulkContactsRoute = createRoute({
  method: 'post',
  path: BULK_CONTACTS_PATH,
  summary: `Create or update up to ${MAX_BULK_ROWS} contacts in an import (upserts keyed by phone: re-sending rows updates them); one bad row never fails the others`,
  description: [
    'Body: a JSON array of contacts, or `text/csv` with a header row (streamed: read in batches of 500, never whole).',
    'CSV: the delimiter (`,`, `;` or tab) is read off the header line; a UTF-8 BOM and quoted fields (commas, quotes, newlines inside) are handled.',
    'Columns: phone/telefono/celular, name/nombre, first_name, email/correo, company/empresa, tags/etiquetas (one cell, `|` or `,` between tags), locale, timezone, opt_in_status, opt_in_source, do_not_contact, source; any other column goes to custom_fields. Empty cells change nothing.',
    'A row updates tags by adding to them and custom_fields by replacing them. Over the row limit: 413 (JSON: before anything is written; CSV: after the first rows, which stay applied — details say how many).',
  ].join('\n\n'),
  request: {
    headers: z.object({ 'x-import-id': z.string().openapi({ param: { ...importIdHeader, required: true } }) }),
    body: {
      required: true,
      content: {
        'application/json': { schema: z.array(contactFieldsSchema).max(MAX_BULK_ROWS), example: [{ phone: '3001234567', name: 'María Pérez', email: 'maria@example.com', tags: ['vip'] }, { phone: '+1 212 736 5000', name: 'John Doe' }] },
        'text/csv': { schema: z.string(), example: csvExample },
      },
    },
  },
  responses: {
    200: {
      description: 'What happened to each row',
      content: { 'application/json': { schema: bulkResultSchema, example: { created: 1, updated: 0, failed: 1, errors: [{ row: 2, code: 'INVALID_VALUE', message: 'phone: not a valid phone number: "12"' }] } } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415),
  },
});

async function* csvRows(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  for await (const record of readCsv(Readable.fromWeb(body as never) as AsyncIterable<Uint8Array>)) yield csvRecordToFields(record);
}

export function handleBulkContacts(deps: ContactRouteDeps): Handler<AppEnv> {
  return async (c) => {
    const { orgId } = c.get('auth');
    const importId = c.req.header('x-import-id')?.trim();
    if (!importId) throw new AppError('VALIDATION_ERROR', 'The X-Import-ID header is required', [{ path: 'x-import-id', message: 'required' }]);
    const imp = await importFor(deps, orgId, importId);
    if (imp.status !== 'processing') throw new AppError('CONFLICT', `Import ${importId} is ${imp.status}; set it back to processing to add rows`);
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const target = { id: imp._id, source: imp.source };

    if (type === 'application/json') {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new AppError('MALFORMED_JSON', 'The request body is not valid JSON');
      }
      if (!Array.isArray(body)) throw new AppError('VALIDATION_ERROR', 'The body must be a JSON array of contacts');
      if (body.length > MAX_BULK_ROWS) throw new AppError('PAYLOAD_TOO_LARGE', `At most ${MAX_BULK_ROWS} rows per request (got ${body.length}); nothing was written`, { max_rows: MAX_BULK_ROWS });
      return c.json(await importRows(deps, orgId, target, body), 200);
    }
    if (type === 'text/csv' || type === 'application/csv') {
      const body = c.req.raw.body;
      if (!body) throw new AppError('VALIDATION_ERROR', 'The CSV body is empty');
      try {
        return c.json(await importRows(deps, orgId, target, csvRows(body)), 200);
      } catch (err) {
        if (err instanceof AppError) throw err;
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('CSV_')) throw new AppError('VALIDATION_ERROR', `The CSV could not be read: ${(err as Error).message}`);
        throw err;
      }
    }
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send application/json (an array) or text/csv');
  };
}

export function registerBulkContacts(group: RouteGroup, deps: ContactRouteDeps): void {
  group.raw(bulkContactsRoute, handleBulkContacts(deps));
}
