/**
 * The normalized shapes that the rest of Puente consumes. Field names are camelCase and ours; Meta's
 * snake_case stays inside `webhook-schema.ts` and `normalize*.ts`.
 */

/** An error object as Meta reports it in webhooks (`messages[].errors`, `statuses[].errors`, `value.errors`). */
export interface WhatsAppError {
  code: number;
  title?: string;
  message?: string;
  /** `error_data.details`: the most specific human-readable explanation. */
  details?: string;
  href?: string;
}

/** Fields every inbound event carries. */
export interface InboundEventBase {
  /** `messages[].id`; the dedupe key. */
  wamid: string;
  /** `metadata.phone_number_id` of the business number that received the message. */
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** The user's WhatsApp id: `from`, else the sender's `value.contacts[].wa_id`. */
  waId: string;
  /** `profile.name` of the matching `value.contacts[]` entry, when Meta sent one. */
  profileName?: string;
  /** Unix seconds, parsed from Meta's string. */
  timestamp: number;
  /** Present when the user replied to, or tapped a button/row of, a business message. */
  context?: { id: string; from?: string };
  /** True when WhatsApp marked the message as forwarded. */
  forwarded?: boolean;
}

/** A media object from an inbound message. */
export interface InboundMedia {
  /** Media id for `GET /{version}/{media-id}`; webhook media ids expire after 7 days. */
  id: string;
  mimeType: string;
  /** Meta's hash of the file; encoding varies between samples (base64 or hex). */
  sha256?: string;
  caption?: string;
  filename?: string;
  /** Audio only: true for a voice note recorded in WhatsApp. */
  voice?: boolean;
  /** Sticker only. */
  animated?: boolean;
  /** A short-lived download URL (needs the bearer token); absent in older payloads. */
  url?: string;
}

/** One contact card shared by the user (`messages[].contacts[]`, not the sender profile). */
export interface SharedContact {
  name: {
    formattedName?: string;
    firstName?: string;
    lastName?: string;
    middleName?: string;
    prefix?: string;
    suffix?: string;
  };
  phones: { phone?: string; waId?: string; type?: string }[];
  emails: { email?: string; type?: string }[];
  urls: { url?: string; type?: string }[];
  addresses: {
    street?: string;
    city?: string;
    state?: string;
    zip?: string;
    country?: string;
    countryCode?: string;
    type?: string;
  }[];
  org?: { company?: string; department?: string; title?: string };
  birthday?: string;
}

/** Media message kinds Puente understands inbound. */
export type InboundMediaType = 'image' | 'document' | 'audio' | 'video' | 'sticker';

/** Why an inbound message became `unsupported`. */
export type UnsupportedReason =
  /** Meta itself sent `type: "unsupported"` (polls, view-once, …). */
  | 'meta_unsupported'
  /** A `type` (or `interactive.type`) this adapter does not know. */
  | 'unknown_type'
  /** A known type whose payload lacked a required field. */
  | 'malformed';

/**
 * Everything a user can send, as one discriminated union on `type`.
 * Unknown or broken messages become `unsupported`; they are never dropped, so the bot can answer
 * "I can't read that" and the CRM still sees that something arrived.
 */
export type InboundEvent = InboundEventBase &
  (
    | { type: 'text'; text: string }
    | { type: 'button_reply'; replyId: string; title: string }
    | { type: 'list_reply'; replyId: string; title: string; description?: string }
    /** A tap on a template quick-reply button (Meta `type: "button"`). */
    | { type: 'quick_reply'; payload: string; text: string }
    | { type: InboundMediaType; media: InboundMedia }
    | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
    | { type: 'contacts'; contacts: SharedContact[] }
    /** `emoji` absent means the user removed their reaction. */
    | { type: 'reaction'; messageId: string; emoji?: string }
    | {
        type: 'unsupported';
        /** Meta's type name, e.g. `order`, `interactive.nfm_reply`, or `poll_creation` from `unsupported.type`. */
        originalType: string;
        reason: UnsupportedReason;
        errors: WhatsAppError[];
      }
  );

/** The value of `InboundEvent['type']`. */
export type InboundEventType = InboundEvent['type'];

/** Narrows {@link InboundEvent} to one `type`. */
export type InboundEventOf<T extends InboundEventType> = Extract<InboundEvent, { type: T }>;

/** Delivery statuses Meta documents; other strings are passed through unchanged. */
export type KnownMessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A delivery status update for a message Puente sent. */
export interface StatusEvent {
  /** `statuses[].id`: the wamid Graph returned when the message was sent. */
  wamid: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** The user the message went to (`recipient_id`); optional because business-scoped-id users may lack it. */
  recipientId?: string;
  // `string & {}` keeps editor completion for the known values while accepting new ones.
  status: KnownMessageStatus | (string & {});
  timestamp: number;
  /** Non-empty when `status` is `failed` (and occasionally on other statuses). */
  errors: WhatsAppError[];
  pricing?: { billable?: boolean; pricingModel?: string; category?: string; type?: string };
  conversation?: { id?: string; expirationTimestamp?: number; originType?: string };
  /** Echo of `biz_opaque_callback_data` set at send time. */
  bizOpaqueCallbackData?: string;
}

/** A value-level error (`value.errors[]`): an asynchronous problem not tied to one message. */
export interface WebhookErrorEvent {
  phoneNumberId: string;
  displayPhoneNumber: string;
  error: WhatsAppError;
}

/** A message that could not be turned into an event because it names no sender. */
export interface SkippedMessage {
  wamid: string;
  phoneNumberId: string;
  reason: 'no_sender';
}

/** The result of {@link normalizeWebhook}. Every array keeps the payload's order. */
export interface NormalizedWebhook {
  events: InboundEvent[];
  statuses: StatusEvent[];
  errors: WebhookErrorEvent[];
  /** `changes[].field` values other than `messages` (template status, account updates, …), in order, deduplicated. */
  ignoredFields: string[];
  skipped: SkippedMessage[];
}
