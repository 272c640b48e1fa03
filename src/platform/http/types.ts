import type { Logger } from '../logging/logger.js';

/** What an organization's API key may do: `admin` satisfies every check, `write` does not imply `read`. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof API_KEY_SCOPES)[number];

/** Who is calling the business API: set by the `v1` group's authentication. */
export interface RequestAuth {
  /** The organization the key belongs to: every business document read or written is this one's. */
  orgId: string;
  keyId: string;
  scopes: Scope[];
}

/** Hono context variables set by Puente's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** The request body as received, set by an authentication that had to read it (a signature check). */
    rawBody: Uint8Array;
    /** Set by the `v1` group's authentication only (absent on every other group's routes). */
    auth: RequestAuth;
  };
}
