import { Schema, type Connection, type Model } from 'mongoose';
import { addOutbox } from '../platform/events/outbox.js';
import { modelOn } from '../platform/mongo/model.js';

/** Who wrote a message in a conversation. */
export type Author = 'user' | 'bot' | 'agent' | 'system';

/** Delivery states of a message we sent, in the only order they may advance; `failed` is terminal. */
export const statusRank = { received: 0, queued: 0, accepted: 1, sent: 2, delivered: 3, read: 4, failed: 100 } as const;
export type LogStatus = keyof typeof statusRank;

export interface LoggedError {
  code: number | string;
  title?: string;
  message?: string;
  details?: string;
}

/** One message of a conversation, inbound or outbound, with its WhatsApp delivery history. */
export interface LoggedMessage {
  conversationKey: string;
  phoneNumberId: string;
  waId: string;
  direction: 'inbound' | 'outbound';
  author: Author;
  type: string;
  text?: string;
  media?: { id?: string; link?: string; mimeType?: string; caption?: string; filename?: string };
  /** WhatsApp's message id (inbound: from the webhook; outbound: once Graph accepted it). */
  wamid?: string;
  /** Our id of an outbound message, known before Graph answers. */
  outboundId?: string;
  ticketId?: string;
  /** A campaign step (see OutboundItem.campaign): the campaign, the enrollment and the step number. */
  campaignId?: string;
  enrollmentId?: string;
  campaignStep?: number;
  status: LogStatus;
  statusRank: number;
  statusHistory: { status: string; at: Date }[];
  error?: LoggedError;
  /** When the user sent it (inbound, from Meta's timestamp) or when we queued it (outbound). */
  at: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

const messageSchema = new Schema<LoggedMessage>(
  {
    conversationKey: { type: String, required: true },
    phoneNumberId: { type: String, required: true },
    waId: { type: String, required: true },
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    author: { type: String, enum: ['user', 'bot', 'agent', 'system'], required: true },
    type: { type: String, required: true },
    text: String,
    media: { id: String, link: String, mimeType: String, caption: String, filename: String },
    wamid: String,
    outboundId: String,
    ticketId: String,
    campaignId: String,
    enrollmentId: String,
    campaignStep: Number,
    status: { type: String, required: true },
    statusRank: { type: Number, required: true },
    statusHistory: [{ _id: false, status: String, at: Date }],
    error: { code: Schema.Types.Mixed, title: String, message: String, details: String },
    at: { type: Date, required: true },
  },
  { timestamps: true, collection: 'messages', minimize: true },
);
// Message events (received, sent, delivered, read, …) are recorded with the write itself.
addOutbox(messageSchema);
// Partial (not sparse) so the unique index only covers documents that have the id at all.
messageSchema.index({ wamid: 1 }, { unique: true, partialFilterExpression: { wamid: { $type: 'string' } } });
messageSchema.index({ outboundId: 1 }, { unique: true, partialFilterExpression: { outboundId: { $type: 'string' } } });
messageSchema.index({ conversationKey: 1, at: 1 });
// A user's messages on every number, newest first (the lead scores' 30-day activity).
messageSchema.index({ waId: 1, at: -1 });
messageSchema.index({ ticketId: 1, at: 1 }, { partialFilterExpression: { ticketId: { $type: 'string' } } });
// The retention purge (src/privacy/retention.ts): messages older than RETENTION_MESSAGES_DAYS, oldest first.
messageSchema.index({ at: 1 });

export type MessageModel = Model<LoggedMessage>;

export function messageModel(connection: Connection): MessageModel {
  return modelOn(connection, 'Message', messageSchema);
}
