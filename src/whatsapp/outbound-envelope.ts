import { checkOptionalText, checkRecipient, checkRequired } from './limits.js';
import type { CommonSendOptions, OutboundEnvelope } from './outbound-types.js';

const BIZ_OPAQUE_CALLBACK_DATA_MAX = 512;

/** The fields every outbound message starts with, validated. */
export function outboundEnvelope(to: string, options: CommonSendOptions = {}): OutboundEnvelope {
  const envelope: OutboundEnvelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: checkRecipient(to),
  };
  if (options.replyTo !== undefined) envelope.context = { message_id: checkRequired('replyTo', options.replyTo) };
  const opaque = checkOptionalText('bizOpaqueCallbackData', options.bizOpaqueCallbackData, BIZ_OPAQUE_CALLBACK_DATA_MAX);
  if (opaque !== undefined) envelope.biz_opaque_callback_data = opaque;
  return envelope;
}
