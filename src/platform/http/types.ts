import type { Logger } from '../logging/logger.js';

/** Hono context variables set by Puente's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
  };
}
