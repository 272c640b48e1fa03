import type { MiddlewareHandler } from 'hono';
import type { Connection } from 'mongoose';
import type { AppEnv } from '../platform/http/types.js';
import type { Module } from '../platform/module.js';
import { adminKeyAuth, orgKeyAuth } from './auth.js';
import type { Organization } from './models.js';
import { apiKeyRoutes } from './routes/index.js';
import { createApiKeyStore, type ApiKeyStore } from './store.js';

export { DEFAULT_ORG_ID } from './models.js';
export { requireScope } from './auth.js';
export { deriveKey } from './secrets.js';

export interface ApiKeysModule {
  module: Module;
  /** The `v1` group's authentication: an organization's key; sets `auth` (the organization) on the context. */
  authenticate: MiddlewareHandler<AppEnv>;
  /** The `admin` group's authentication: API_ADMIN_KEY (404 everywhere when it is not configured). */
  adminAuth: MiddlewareHandler<AppEnv>;
  /** Creates the `default` organization if missing, owning the configured WhatsApp number; idempotent. */
  ensureDefaultOrg(): Promise<Organization>;
  /** Organizations and keys (the dev entry creates its printed key through it). */
  store: ApiKeyStore;
}

/** Organizations, their API keys, the business API's authentication and the platform owner's routes. */
export function createApiKeysModule(deps: { connection: Connection; adminKey: string | undefined; phoneNumberId: string | undefined }): ApiKeysModule {
  const store = createApiKeyStore(deps.connection);
  return {
    module: { name: 'api-keys', routes: apiKeyRoutes(store) },
    authenticate: orgKeyAuth(store),
    adminAuth: adminKeyAuth(deps.adminKey),
    ensureDefaultOrg: () => store.ensureDefaultOrg(deps.phoneNumberId),
    store,
  };
}
