import type { Module } from '../../platform/module.js';
import type { WebhookRouteDeps } from './context.js';
import { registerCreateWebhook } from './create-webhook.js';
import { registerDeleteWebhook } from './delete-webhook.js';
import { registerGetWebhook } from './get-webhook.js';
import { registerListDeliveries } from './list-deliveries.js';
import { registerListWebhooks } from './list-webhooks.js';
import { registerRedeliver } from './redeliver.js';
import { registerTestWebhook } from './test-webhook.js';
import { registerUpdateWebhook } from './update-webhook.js';

/** The business API's webhook subscriptions and their delivery log (`v1` group: an organization's API key). */
export function webhookRoutes(deps: WebhookRouteDeps): NonNullable<Module['routes']> {
  return {
    v1(group) {
      registerCreateWebhook(group, deps);
      registerListWebhooks(group, deps);
      registerGetWebhook(group, deps);
      registerUpdateWebhook(group, deps);
      registerDeleteWebhook(group, deps);
      registerTestWebhook(group, deps);
      registerListDeliveries(group, deps);
      registerRedeliver(group, deps);
    },
  };
}
