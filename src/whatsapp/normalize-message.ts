import { z } from 'zod';
import type { InboundEvent, InboundEventBase, InboundMediaType, SharedContact, WhatsAppError } from './webhook-events.js';
import type { InboundMessage, WebhookErrorObject } from './webhook-schema.js';

/*
 * Type-specific payloads. Each is checked only for what the event needs; a payload that misses a
 * required field turns the message into `unsupported` (reason `malformed`) instead of failing the batch.
 */
const str = z.string();
const optStr = z.string().optional();

const TextPayload = z.looseObject({ body: str });
const ButtonReplyPayload = z.looseObject({ id: str, title: str });
const ListReplyPayload = z.looseObject({ id: str, title: str, description: optStr });
const InteractivePayload = z.looseObject({ type: str });
const QuickReplyPayload = z.looseObject({ payload: str, text: str });
const MediaPayload = z.looseObject({
  id: str,
  mime_type: str,
  sha256: optStr,
  caption: optStr,
  filename: optStr,
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
  url: optStr,
});
const LocationPayload = z.looseObject({
  latitude: z.number(),
  longitude: z.number(),
  name: optStr,
  address: optStr,
  url: optStr,
});
const ReactionPayload = z.looseObject({ message_id: str, emoji: optStr });
const UnsupportedPayload = z.looseObject({ type: optStr });

const typed = <T extends z.ZodType>(item: T) => z.array(item).optional().default([]);
const SharedContactPayload = z.looseObject({
  name: z
    .looseObject({
      formatted_name: optStr,
      first_name: optStr,
      last_name: optStr,
      middle_name: optStr,
      prefix: optStr,
      suffix: optStr,
    })
    .optional()
    .default({}),
  phones: typed(z.looseObject({ phone: optStr, wa_id: optStr, type: optStr })),
  emails: typed(z.looseObject({ email: optStr, type: optStr })),
  urls: typed(z.looseObject({ url: optStr, type: optStr })),
  addresses: typed(
    z.looseObject({
      street: optStr,
      city: optStr,
      state: optStr,
      zip: optStr,
      country: optStr,
      country_code: optStr,
      type: optStr,
    }),
  ),
  org: z.looseObject({ company: optStr, department: optStr, title: optStr }).optional(),
  birthday: optStr,
});
const ContactsPayload = z.array(SharedContactPayload).min(1);

const MEDIA_TYPES: ReadonlySet<string> = new Set<InboundMediaType>(['image', 'document', 'audio', 'video', 'sticker']);

/** Drops keys whose value is `undefined`, so events deep-equal their expected shapes and log compactly. */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** Converts Meta's error object to ours. */
export function toWhatsAppError(error: WebhookErrorObject): WhatsAppError {
  return compact({
    code: error.code,
    title: error.title,
    message: error.message,
    details: error.error_data?.details,
    href: error.href,
  });
}

function toSharedContact(card: z.output<typeof SharedContactPayload>): SharedContact {
  return compact({
    name: compact({
      formattedName: card.name.formatted_name,
      firstName: card.name.first_name,
      lastName: card.name.last_name,
      middleName: card.name.middle_name,
      prefix: card.name.prefix,
      suffix: card.name.suffix,
    }),
    phones: card.phones.map((p) => compact({ phone: p.phone, waId: p.wa_id, type: p.type })),
    emails: card.emails.map((e) => compact({ email: e.email, type: e.type })),
    urls: card.urls.map((u) => compact({ url: u.url, type: u.type })),
    addresses: card.addresses.map((a) =>
      compact({
        street: a.street,
        city: a.city,
        state: a.state,
        zip: a.zip,
        country: a.country,
        countryCode: a.country_code,
        type: a.type,
      }),
    ),
    org: card.org && compact({ company: card.org.company, department: card.org.department, title: card.org.title }),
    birthday: card.birthday,
  });
}

type EventBody = InboundEvent extends infer E ? (E extends unknown ? Omit<E, keyof InboundEventBase> : never) : never;

function unsupported(message: InboundMessage, originalType: string, reason: 'meta_unsupported' | 'unknown_type' | 'malformed'): EventBody {
  return { type: 'unsupported', originalType, reason, errors: (message.errors ?? []).map(toWhatsAppError) };
}

function interactiveBody(message: InboundMessage): EventBody {
  const interactive = InteractivePayload.safeParse(message['interactive']);
  if (!interactive.success) return unsupported(message, 'interactive', 'malformed');
  const subtype = interactive.data.type;
  if (subtype === 'button_reply') {
    const reply = ButtonReplyPayload.safeParse(interactive.data['button_reply']);
    if (!reply.success) return unsupported(message, 'interactive.button_reply', 'malformed');
    return { type: 'button_reply', replyId: reply.data.id, title: reply.data.title };
  }
  if (subtype === 'list_reply') {
    const reply = ListReplyPayload.safeParse(interactive.data['list_reply']);
    if (!reply.success) return unsupported(message, 'interactive.list_reply', 'malformed');
    return compact({ type: 'list_reply', replyId: reply.data.id, title: reply.data.title, description: reply.data.description });
  }
  // Flows (`nfm_reply`) and future interactive replies.
  return unsupported(message, `interactive.${subtype}`, 'unknown_type');
}

function mediaBody(message: InboundMessage, type: InboundMediaType): EventBody {
  const media = MediaPayload.safeParse(message[type]);
  if (!media.success) return unsupported(message, type, 'malformed');
  const m = media.data;
  return {
    type,
    media: compact({
      id: m.id,
      mimeType: m.mime_type,
      sha256: m.sha256,
      caption: m.caption,
      filename: m.filename,
      voice: type === 'audio' ? (m.voice ?? false) : undefined,
      animated: m.animated,
      url: m.url,
    }),
  };
}

/** Maps a message's type-specific payload to the event body. Never throws. */
export function messageBody(message: InboundMessage): EventBody {
  const { type } = message;
  switch (type) {
    case 'text': {
      const text = TextPayload.safeParse(message['text']);
      return text.success ? { type: 'text', text: text.data.body } : unsupported(message, type, 'malformed');
    }
    case 'interactive':
      return interactiveBody(message);
    case 'button': {
      const button = QuickReplyPayload.safeParse(message['button']);
      return button.success
        ? { type: 'quick_reply', payload: button.data.payload, text: button.data.text }
        : unsupported(message, type, 'malformed');
    }
    case 'location': {
      const loc = LocationPayload.safeParse(message['location']);
      if (!loc.success) return unsupported(message, type, 'malformed');
      const { latitude, longitude, name, address, url } = loc.data;
      return compact({ type: 'location', latitude, longitude, name, address, url });
    }
    case 'contacts': {
      const cards = ContactsPayload.safeParse(message['contacts']);
      return cards.success
        ? { type: 'contacts', contacts: cards.data.map(toSharedContact) }
        : unsupported(message, type, 'malformed');
    }
    case 'reaction': {
      const reaction = ReactionPayload.safeParse(message['reaction']);
      if (!reaction.success) return unsupported(message, type, 'malformed');
      // Meta omits `emoji` on removal; some payloads send "" instead. Both mean "removed".
      const emoji = reaction.data.emoji === '' ? undefined : reaction.data.emoji;
      return compact({ type: 'reaction', messageId: reaction.data.message_id, emoji });
    }
    case 'unsupported': {
      const detail = UnsupportedPayload.safeParse(message['unsupported']);
      const originalType = (detail.success ? detail.data.type : undefined) ?? 'unsupported';
      return unsupported(message, originalType, 'meta_unsupported');
    }
    default:
      if (MEDIA_TYPES.has(type)) return mediaBody(message, type as InboundMediaType);
      return unsupported(message, type, 'unknown_type');
  }
}

/** Builds the common part of an event; `context` only when it points at a message. */
export function eventBase(
  message: InboundMessage,
  meta: { phoneNumberId: string; displayPhoneNumber: string; waId: string; profileName: string | undefined },
): InboundEventBase {
  const ctx = message.context;
  return compact({
    wamid: message.id,
    phoneNumberId: meta.phoneNumberId,
    displayPhoneNumber: meta.displayPhoneNumber,
    waId: meta.waId,
    profileName: meta.profileName,
    timestamp: message.timestamp,
    context: ctx?.id ? compact({ id: ctx.id, from: ctx.from }) : undefined,
    forwarded: ctx?.forwarded || ctx?.frequently_forwarded ? true : undefined,
  });
}
