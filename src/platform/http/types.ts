import type { Logger } from '../logging/logger.js';

/** Hono context variables set by Puente's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** The request body as received, set by an authentication that had to read it (a signature check). */
    rawBody: Uint8Array;
  };
}
