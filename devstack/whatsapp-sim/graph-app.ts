/**
 * The Graph API surface Puente calls: `POST /{version}/{phone-number-id}/messages` and
 * `GET /{version}/{waba-id}/message_templates`. Sends are checked in Meta's order: the access token
 * (190), the sender number (100), the body's fields (100/131009), a template against the account's
 * templates (132001, 132015/132016, 132012, 132000: templates.ts), and last the 24 h customer
 * service window (131047). Any answer other than a success carries Meta's error envelope
 * (graph-errors.ts).
 */
import { Hono, type Context } from 'hono';
import { GraphError, invalidParameter, invalidToken, reEngagement, unknownObject } from './graph-errors.js';
import type { OutboundInfo, PhoneBook } from './phones.js';
import { checkTemplateSend, templatePage, type RenderedTemplate, type SimTemplate } from './templates.js';
import type { SimMessage } from './types.js';
import { validateSend } from './validate-send.js';
import { businessWamid } from './wamid.js';

export interface GraphAppDeps {
  accessToken: string;
  phoneNumberId: string;
  /** The WhatsApp Business Account whose templates are listed (other ids: error 100). */
  wabaId: string;
  templates: readonly SimTemplate[];
  phones: PhoneBook;
  now: () => number;
  /** A message was accepted: record-keeping is done, statuses are the caller's to schedule. */
  accepted(message: SimMessage, info: OutboundInfo): void;
}

function answerError(c: Context, error: GraphError): Response {
  // WWW-Authenticate mirrors Graph's 401s; Puente ignores it but a curl user sees why.
  if (error.status === 401) c.header('WWW-Authenticate', 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"');
  return c.json(error.toBody(), error.status as 400 | 401 | 500);
}

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  return c.req.query('access_token');
}

export function createGraphApp(deps: GraphAppDeps): Hono {
  const app = new Hono();

  app.get('/:version/:wabaId/message_templates', (c) => {
    const token = bearer(c);
    if (token === undefined || token === '') return answerError(c, invalidToken(token === undefined));
    if (token !== deps.accessToken) return answerError(c, invalidToken(false));
    const { version, wabaId } = c.req.param();
    if (!/^v\d+\.\d+$/.test(version)) return answerError(c, invalidParameter(`Unknown path components: /${version}/${wabaId}/message_templates`));
    if (wabaId !== deps.wabaId) return answerError(c, unknownObject(wabaId, 'get'));
    // `fields` is accepted and ignored: every template is listed with all its fields.
    const origin = new URL(c.req.url).origin;
    try {
      return c.json(templatePage(deps.templates, { limit: c.req.query('limit'), after: c.req.query('after') }, (after, limit) => `${origin}/${version}/${wabaId}/message_templates?limit=${limit}&after=${after}`));
    } catch (error) {
      if (error instanceof GraphError) return answerError(c, error);
      throw error;
    }
  });

  app.post('/:version/:phoneNumberId/messages', async (c) => {
    const token = bearer(c);
    if (token === undefined || token === '') return answerError(c, invalidToken(token === undefined));
    if (token !== deps.accessToken) return answerError(c, invalidToken(false));
    const { version, phoneNumberId } = c.req.param();
    if (!/^v\d+\.\d+$/.test(version)) return answerError(c, invalidParameter(`Unknown path components: /${version}/${phoneNumberId}/messages`));
    if (phoneNumberId !== deps.phoneNumberId) return answerError(c, unknownObject(phoneNumberId));

    let raw: unknown;
    try {
      raw = JSON.parse(await c.req.text());
    } catch {
      return answerError(c, invalidParameter('The request body could not be parsed as JSON.'));
    }

    let request;
    try {
      request = validateSend(raw);
    } catch (error) {
      if (error instanceof GraphError) return answerError(c, error);
      throw error;
    }

    if (request.kind === 'read') {
      const message = deps.phones.find(request.messageId);
      if (!message || message.direction !== 'in') {
        return answerError(c, invalidParameter('Invalid parameter', `message_id ${request.messageId} is not a message this number received`));
      }
      return c.json({ success: true });
    }

    let rendered: RenderedTemplate | undefined;
    if (request.type === 'template') {
      try {
        rendered = checkTemplateSend(deps.templates, request.body['template'] as Record<string, unknown>);
      } catch (error) {
        if (error instanceof GraphError) return answerError(c, error);
        throw error;
      }
    }
    if (request.freeForm && !deps.phones.windowOpen(request.to)) return answerError(c, reEngagement());

    const message: SimMessage = {
      wamid: businessWamid(request.to),
      waId: request.to,
      direction: 'out',
      type: request.type,
      body: request.body,
      // Accepted by Meta is one grey tick on the phone; the `sent` webhook follows.
      status: 'sent',
      at: new Date(deps.now()).toISOString(),
      ...(rendered ? { rendered } : {}),
    };
    const info = deps.phones.recordOutbound(message, {
      template: !request.freeForm,
      ...(request.bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData: request.bizOpaqueCallbackData }),
    });
    deps.accepted(message, info);
    return c.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: request.to, wa_id: request.to }],
      messages: [{ id: message.wamid, ...(request.freeForm ? {} : { message_status: 'accepted' }) }],
    });
  });

  app.notFound((c) => answerError(c, invalidParameter(`Unknown path components: ${new URL(c.req.url).pathname}`)));
  app.onError((_err, c) => answerError(c, new GraphError({ status: 500, code: 1, message: 'An unknown error occurred', details: 'WhatsApp simulator error' })));
  return app;
}
