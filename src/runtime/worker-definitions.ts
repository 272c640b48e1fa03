import type { Deps } from '../deps.js';
import type { WorkerDefinition } from '../../queues/workers.js';
import type { InboundResponder } from '../../queues/lane-handler.js';
import { textMessage } from '../whatsapp/messages.js';

/** Until the bot is wired in: acknowledge text so the road can be exercised end to end. */
const acknowledge: InboundResponder = async (event) =>
  event.type === 'text' ? [textMessage(event.waId, '¡Hola! Recibimos tu mensaje.')] : [];

/** The processors a worker process runs. */
export function workerDefinitions(deps: Deps): WorkerDefinition[] {
  return deps.messaging.workerDefinitions(acknowledge);
}
