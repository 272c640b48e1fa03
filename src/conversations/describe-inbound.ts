import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { LoggedMessage } from './message-log.js';

/** The text and media fields the conversation log (and the CRM relay) keep for an inbound message. */
export function describeInbound(event: InboundEvent): Pick<LoggedMessage, 'text' | 'media'> {
  switch (event.type) {
    case 'text':
      return { text: event.text };
    case 'button_reply':
    case 'list_reply':
      return { text: `${event.title} [${event.replyId}]` };
    case 'quick_reply':
      return { text: `${event.text} [${event.payload}]` };
    case 'image':
    case 'document':
    case 'audio':
    case 'video':
    case 'sticker':
      return {
        ...(event.media.caption ? { text: event.media.caption } : {}),
        media: { id: event.media.id, mimeType: event.media.mimeType, caption: event.media.caption, filename: event.media.filename },
      };
    case 'location':
      return { text: [event.name, event.address, `${event.latitude},${event.longitude}`].filter(Boolean).join(' · ') };
    case 'contacts':
      return { text: event.contacts.map((c) => c.name.formattedName ?? c.phones[0]?.phone ?? '').join(', ') };
    case 'reaction':
      return { text: event.emoji ?? '(reaction removed)' };
    case 'unsupported':
      return { text: `(unsupported: ${event.originalType})` };
  }
}
