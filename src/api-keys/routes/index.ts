import type { Module } from '../../platform/module.js';
import type { ApiKeyStore } from '../store.js';
import { registerCreateApiKey } from './create-api-key.js';
import { registerCreateOrg } from './create-org.js';
import { registerListApiKeys } from './list-api-keys.js';
import { registerListOrgs } from './list-orgs.js';
import { registerMe } from './me.js';
import { registerRevokeApiKey } from './revoke-api-key.js';

/** The platform owner's routes (`admin` group) and the business API's `GET /api/v1/me` (`v1` group). */
export function apiKeyRoutes(store: ApiKeyStore): NonNullable<Module['routes']> {
  return {
    admin(group) {
      registerCreateOrg(group, store);
      registerListOrgs(group, store);
      registerCreateApiKey(group, store);
      registerListApiKeys(group, store);
      registerRevokeApiKey(group, store);
    },
    v1: (group) => registerMe(group, store),
  };
}
