import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../../src/platform/http/errors.js';
import { secureEquals } from '../../src/platform/http/secure-compare.js';
import type { AppEnv } from '../../src/platform/http/types.js';
import type { CrmRouteDeps } from './context.js';
import { registerHandover } from './handover.js';
import { registerHandoverStatus } from './handover-status.js';
import { registerMetaHandoverWebhook } from './meta-handover-webhook.js';
import { registerSendMessage } from './send-message.js';
import { registerTicketMessages } from './ticket-messages.js';

/** Paths the CRM calls with `Authorization: Bearer CRM_API_TOKEN` (the Meta webhook is signed instead). */
const BEARER_PATHS = ['/api/crm/handover', '/api/crm/send-message', '/api/crm/handover-status/*', '/api/crm/tickets/*'];

/** The CRM-facing API of seed 002, plus the ticket conversation endpoint. */
export function crmRoutes(deps: CrmRouteDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerComponent('securitySchemes', 'crmBearer', { type: 'http', scheme: 'bearer', description: 'CRM_API_TOKEN' });
  for (const path of BEARER_PATHS) {
    app.use(path, async (c, next) => {
      const header = c.req.header('authorization') ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      if (!secureEquals(token, deps.config.CRM_API_TOKEN)) throw new AppError('UNAUTHORIZED', 'Missing or invalid bearer token');
      await next();
    });
  }
  registerHandover(app, deps);
  registerSendMessage(app, deps);
  registerHandoverStatus(app, deps);
  registerTicketMessages(app, deps);
  registerMetaHandoverWebhook(app, deps);
  return app;
}
