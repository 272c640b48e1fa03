import type { WebhookService } from '../service.js';
import type { DeliveryStore } from '../store.js';

export interface WebhookRouteDeps {
  service: WebhookService;
  deliveries: DeliveryStore;
}
