import { z } from '@hono/zod-openapi';
import { listEnvelopeSchema } from '../platform/http/pagination.js';
import { API_KEY_SCOPES } from '../platform/http/types.js';
import type { ApiKey, Organization } from './models.js';

export const nameSchema = z.string().trim().min(1).max(200);
export const orgIdParamSchema = z.string().min(1).max(100).openapi({ param: { name: 'org_id', in: 'path' }, example: 'org_4kq0cPZ2f1Jx9yVb' });
export const scopeSchema = z.enum(API_KEY_SCOPES);

export const organizationSchema = z
  .object({ id: z.string(), name: z.string(), created_at: z.string().openapi({ format: 'date-time' }) })
  .openapi('Organization');

export const apiKeySummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(scopeSchema),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart', example: 'pk_Xb3kT9aQ' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time', description: 'Updated at most once a minute' }),
  })
  .openapi('ApiKey');

export const createdApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(scopeSchema),
    key: z.string().openapi({ description: 'The secret: shown only in this answer, stored only as a hash', example: 'pk_Xb3kT9aQ…' }),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('CreatedApiKey');

export const organizationListSchema = listEnvelopeSchema(organizationSchema, 'OrganizationList');
export const apiKeyListSchema = listEnvelopeSchema(apiKeySummarySchema, 'ApiKeyList');

export const toOrganization = (org: Organization): z.infer<typeof organizationSchema> => ({ id: org._id, name: org.name, created_at: org.createdAt.toISOString() });

export const toApiKeySummary = (key: ApiKey): z.infer<typeof apiKeySummarySchema> => ({
  id: key._id,
  name: key.name,
  scopes: key.scopes,
  prefix: key.prefix,
  created_at: key.createdAt.toISOString(),
  revoked_at: key.revokedAt?.toISOString() ?? null,
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
});
