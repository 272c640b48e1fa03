/** The WhatsApp Cloud API adapter: signature check, webhook normalization, message builders, Graph client. */
export * from './signature.js';
export * from './webhook-events.js';
export * from './webhook-schema.js';
export { normalizeWebhook, conversationKey, laneKeyOf } from './normalize.js';
export * from './limits.js';
export * from './outbound-types.js';
export * from './messages.js';
export * from './graph-errors.js';
export * from './graph-client.js';
