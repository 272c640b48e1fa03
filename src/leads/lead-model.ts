import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '../platform/mongo/model.js';

/** Where a lead came from; the bot writes `whatsapp`, the leads API will add the others. */
export const LEAD_SOURCES = ['whatsapp', 'website', 'referral', 'event', 'import', 'api'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

/** Sales funnel stages of the leads API; every lead starts at `lead`. */
export const LEAD_STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'lost'] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

/** A sales lead. Fields the leads API will need later (score, assignee, …) can be added freely. */
export interface Lead {
  /** WhatsApp id / phone in international format without `+`, e.g. `573001234567`. */
  phone: string;
  name: string;
  /** Plan id from the bot's catalog, and its name when the lead was taken. */
  planOfInterest?: string;
  planName?: string;
  source: LeadSource;
  stage: LeadStage;
  /** A new lead starts with score 0. */
  score: number;
  /** The business number the user wrote to. */
  phoneNumberId?: string;
  /** How many times the same person asked for the same plan while the lead was still open. */
  requestCount: number;
  lastRequestedAt: Date;
  stageChangedAt: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

const leadSchema = new Schema<Lead>(
  {
    phone: { type: String, required: true },
    name: { type: String, required: true, maxlength: 120 },
    planOfInterest: String,
    planName: String,
    source: { type: String, enum: LEAD_SOURCES, required: true },
    stage: { type: String, enum: LEAD_STAGES, required: true, default: 'lead' },
    score: { type: Number, required: true, default: 0 },
    phoneNumberId: String,
    requestCount: { type: Number, required: true, default: 1 },
    lastRequestedAt: { type: Date, required: true },
    stageChangedAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'leads' },
);
leadSchema.index({ phone: 1 });
leadSchema.index({ stage: 1, createdAt: -1 });

export type LeadModel = Model<Lead>;

/** The `Lead` model on `connection` (registered once per connection). */
export function leadModel(connection: Connection): LeadModel {
  return modelOn(connection, 'Lead', leadSchema);
}
