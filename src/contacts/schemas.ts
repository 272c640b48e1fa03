import { z } from '@hono/zod-openapi';
import { listEnvelopeSchema } from '../platform/http/pagination.js';
import { IMPORT_STATUSES, OPT_IN_STATUSES, type ContactDoc, type ImportDoc } from './models.js';

export const optInStatusSchema = z.enum(OPT_IN_STATUSES);
export const importStatusSchema = z.enum(IMPORT_STATUSES);
const iso = () => z.string().openapi({ format: 'date-time' });
const text = (max: number) => z.string().trim().max(max);

/**
 * The fields a client may write on a contact: the shape only (types, lengths). Values are checked
 * and normalized by normalize.ts (phone, email, tags, timezone, locale, custom_fields bounds) so a
 * single contact and a bulk row are judged by the same rules. `null` clears an optional field (PUT).
 */
export const contactFieldsSchema = z.object({
  phone: text(40).openapi({ description: 'Any usual notation; stored as E.164 digits without + (10 digits without a country code are read as a Colombian number)', example: '+57 300 123 4567' }),
  name: text(200).nullable().optional().openapi({ example: 'María Pérez' }),
  first_name: text(100).nullable().optional().openapi({ example: 'María' }),
  email: text(254).nullable().optional().openapi({ description: 'Unique per organization; stored lowercased', example: 'maria@example.com' }),
  company: text(200).nullable().optional().openapi({ example: 'Acme SAS' }),
  tags: z.array(z.string().max(64)).max(50).optional().openapi({ description: 'Normalized: trimmed, lowercased, duplicates dropped', example: ['vip', 'bogota'] }),
  locale: text(35).nullable().optional().openapi({ description: 'BCP 47', example: 'es-CO' }),
  timezone: text(64).nullable().optional().openapi({ description: 'IANA time zone', example: 'America/Bogota' }),
  opt_in_status: optInStatusSchema.optional(),
  opt_in_source: text(100).optional().openapi({ description: 'Where the consent (or its withdrawal) was given', example: 'web_form' }),
  opt_in_at: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When the consent changed (default: now)', example: '2025-01-15T14:03:00Z' }),
  do_not_contact: z.boolean().optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional().openapi({ description: 'At most 50 keys and 8 KiB of JSON', example: { plan: 'hogar-300' } }),
  source: text(100).optional().openapi({ description: 'Where the contact came from (default: api, or the import’s source)', example: 'salesforce' }),
});
export type ContactFields = z.infer<typeof contactFieldsSchema>;

export const createContactSchema = contactFieldsSchema.openapi('CreateContact');
export const updateContactSchema = contactFieldsSchema.partial().openapi('UpdateContact');

const consentChangeSchema = z.object({ from: optInStatusSchema.nullable(), to: optInStatusSchema, source: z.string().nullable(), at: iso() }).openapi('ConsentChange');

export const contactSchema = z
  .object({
    id: z.string(),
    phone: z.string(),
    name: z.string().nullable(),
    first_name: z.string().nullable(),
    email: z.string().nullable(),
    company: z.string().nullable(),
    tags: z.array(z.string()),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    opt_in_status: optInStatusSchema,
    opt_in_source: z.string().nullable(),
    opt_in_at: iso().nullable(),
    consent_history: z.array(consentChangeSchema),
    do_not_contact: z.boolean(),
    custom_fields: z.record(z.string(), z.unknown()),
    import_ids: z.array(z.string()),
    source: z.string(),
    whatsapp_profile_name: z.string().nullable(),
    last_inbound_at: iso().nullable(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Contact');
export type ContactJson = z.infer<typeof contactSchema>;

export const contactListSchema = listEnvelopeSchema(contactSchema, 'ContactList');

export const rowErrorSchema = z.object({ row: z.number().int().openapi({ description: '1-based position of the row in the request (a CSV header is not counted)' }), code: z.string(), message: z.string() }).openapi('ImportRowError');

export const bulkResultSchema = z
  .object({ created: z.number().int(), updated: z.number().int(), failed: z.number().int(), errors: z.array(rowErrorSchema) })
  .openapi('BulkContactsResult');

export const createImportSchema = z.object({ source: text(100).min(1).openapi({ example: 'salesforce' }), name: text(200).optional().openapi({ example: 'Leads feria enero' }) }).openapi('CreateImport');
// A missing status is a wrong shape (400), an unknown one a refused value (422): zod reports a missing enum as invalid_value.
export const updateImportSchema = z.object({ status: z.string().pipe(importStatusSchema).openapi({ type: 'string', enum: [...IMPORT_STATUSES], example: 'completed' }), total_rows: z.number().int().min(0).optional().openapi({ example: 500 }) }).openapi('UpdateImport');

export const importSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    name: z.string().nullable(),
    status: importStatusSchema,
    total_rows: z.number().int().nullable(),
    created: z.number().int(),
    updated: z.number().int(),
    failed: z.number().int(),
    errors: z.array(rowErrorSchema).openapi({ description: 'Row errors of every bulk request to this import (the first 1000)' }),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Import');

export const idParam = (example: string) => z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example }) });

const isoOrNull = (d: Date | undefined) => d?.toISOString() ?? null;

export const toContact = (doc: ContactDoc): ContactJson => ({
  id: doc._id,
  phone: doc.phone,
  name: doc.name ?? null,
  first_name: doc.first_name ?? null,
  email: doc.email ?? null,
  company: doc.company ?? null,
  tags: doc.tags ?? [],
  locale: doc.locale ?? null,
  timezone: doc.timezone ?? null,
  opt_in_status: doc.opt_in_status,
  opt_in_source: doc.opt_in_source ?? null,
  opt_in_at: isoOrNull(doc.opt_in_at),
  consent_history: (doc.consent_history ?? []).map((c) => ({ from: c.from ?? null, to: c.to, source: c.source ?? null, at: c.at.toISOString() })),
  do_not_contact: doc.do_not_contact ?? false,
  custom_fields: doc.custom_fields ?? {},
  import_ids: doc.import_ids ?? [],
  source: doc.source,
  whatsapp_profile_name: doc.whatsapp_profile_name ?? null,
  last_inbound_at: isoOrNull(doc.last_inbound_at),
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

export const toImport = (doc: ImportDoc): z.infer<typeof importSchema> => ({
  id: doc._id,
  source: doc.source,
  name: doc.name ?? null,
  status: doc.status,
  total_rows: doc.total_rows ?? null,
  created: doc.created ?? 0,
  updated: doc.updated ?? 0,
  failed: doc.failed ?? 0,
  errors: (doc.row_errors ?? []).map((e) => ({ row: e.row, code: e.code, message: e.message })),
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

/** Examples for the OpenAPI document. */
export const contactExample: ContactJson = {
  id: 'ct_Qm3x8yZpL0aB1cD2',
  phone: '573001234567',
  name: 'María Pérez',
  first_name: 'María',
  email: 'maria@example.com',
  company: 'Acme SAS',
  tags: ['vip'],
  locale: 'es-CO',
  timezone: 'America/Bogota',
  opt_in_status: 'opted_in',
  opt_in_source: 'web_form',
  opt_in_at: '2025-01-15T14:03:00.000Z',
  consent_history: [{ from: null, to: 'opted_in', source: 'web_form', at: '2025-01-15T14:03:00.000Z' }],
  do_not_contact: false,
  custom_fields: { plan: 'hogar-300' },
  import_ids: ['imp_k2Jd9sLq0PzX7vBn'],
  source: 'salesforce',
  whatsapp_profile_name: null,
  last_inbound_at: null,
  created_at: '2025-01-15T14:03:00.000Z',
  updated_at: '2025-01-15T14:03:00.000Z',
};

export const importExample: z.infer<typeof importSchema> = {
  id: 'imp_k2Jd9sLq0PzX7vBn',
  source: 'salesforce',
  name: 'Leads feria enero',
  status: 'processing',
  total_rows: null,
  created: 498,
  updated: 0,
  failed: 2,
  errors: [{ row: 17, code: 'INVALID_VALUE', message: 'phone: not a valid phone number' }],
  created_at: '2025-01-15T14:00:00.000Z',
  updated_at: '2025-01-15T14:03:00.000Z',
};
