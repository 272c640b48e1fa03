/**
 * JSON bodies for `POST /{version}/{phone-number-id}/messages`, exactly as Meta expects them
 * (snake_case on purpose: these objects are serialized as they are).
 */

/** Fields every outbound message carries. */
export interface OutboundEnvelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The recipient's wa_id. */
  to: string;
  /** Quotes a previous message in the chat. */
  context?: { message_id: string };
  /** Echoed back in status webhooks for this message. */
  biz_opaque_callback_data?: string;
}

/** A text header of an interactive message. */
export interface TextHeader {
  type: 'text';
  text: string;
}

/** An uploaded media id or a public HTTPS link. */
export type MediaSource = { link: string } | { id: string };

/** Outbound media kinds (stickers are not sent by Puente). */
export type OutboundMediaKind = 'image' | 'document' | 'audio' | 'video';

/** The media object of a media message. */
export type OutboundMedia = MediaSource & { caption?: string; filename?: string };

/** `interactive` of a reply-buttons message. */
export interface InteractiveButtons {
  type: 'button';
  header?: TextHeader;
  body: { text: string };
  footer?: { text: string };
  action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
}

/** `interactive` of a list message. */
export interface InteractiveList {
  type: 'list';
  header?: TextHeader;
  body: { text: string };
  footer?: { text: string };
  action: {
    button: string;
    sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
  };
}

/** A template variable value. */
export type TemplateParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'payload'; payload: string }
  | { type: 'currency'; currency: { fallback_value: string; code: string; amount_1000: number } }
  | { type: 'date_time'; date_time: { fallback_value: string } }
  | { type: 'image'; image: MediaSource }
  | { type: 'video'; video: MediaSource }
  | { type: 'document'; document: MediaSource & { filename?: string } };

/** A template component with its parameters. Meta's examples send `index` as a string. */
export type TemplateComponent =
  | { type: 'header' | 'body'; parameters: TemplateParameter[] }
  | { type: 'button'; sub_type: 'quick_reply' | 'url' | 'copy_code' | 'flow'; index: string; parameters: TemplateParameter[] };

/** `template` of a template message. */
export interface TemplateBody {
  name: string;
  language: { code: string; policy?: 'deterministic' };
  components?: TemplateComponent[];
}

type MediaMessageOf<K extends OutboundMediaKind> = OutboundEnvelope & { type: K } & { [P in K]: OutboundMedia };

/** Any message body the builders in `messages.ts` produce. */
export type OutboundMessage =
  | (OutboundEnvelope & { type: 'text'; text: { body: string; preview_url: boolean } })
  | (OutboundEnvelope & { type: 'interactive'; interactive: InteractiveButtons | InteractiveList })
  | (OutboundEnvelope & { type: 'template'; template: TemplateBody })
  | MediaMessageOf<'image'>
  | MediaMessageOf<'document'>
  | MediaMessageOf<'audio'>
  | MediaMessageOf<'video'>;

/** Body that marks an inbound message read (and optionally shows "typing…" for up to 25 s). */
export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

/** Options shared by every builder. */
export interface CommonSendOptions {
  /** wamid of the message to quote. */
  replyTo?: string;
  /** Opaque string (≤ 512 chars) echoed in this message's status webhooks. */
  bizOpaqueCallbackData?: string;
}
