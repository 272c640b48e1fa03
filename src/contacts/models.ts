/**
 * Contacts (collection `contacts`) and import cohorts (collection `imports`). Every document carries
 * `org_id` and every query filters by it: another organization's document is "not found". Field
 * names are the API's (snake_case), so a document maps to JSON without renaming.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { addOutbox } from '../platform/events/outbox.js';
import { modelOn } from '../platform/mongo/model.js';

export const OPT_IN_STATUSES = ['opted_in', 'opted_out', 'unknown'] as const;
export type OptInStatus = (typeof OPT_IN_STATUSES)[number];

export const IMPORT_STATUSES = ['processing', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One change of a contact's consent: every change is kept, oldest first. */
export interface ConsentChange {
  /** null for the contact's first recorded status. */
  from: OptInStatus | null;
  to: OptInStatus;
  source: string | null;
  at: Date;
}

export interface ContactDoc {
  _id: string;
  org_id: string;
  /** E.164 digits without `+`. */
  phone: string;
  name?: string;
  first_name?: string;
  /** Lowercased; unique per organization when present. */
  email?: string;
  company?: string;
  tags: string[];
  locale?: string;
  timezone?: string;
  opt_in_status: OptInStatus;
  opt_in_source?: string;
  opt_in_at?: Date;
  consent_history: ConsentChange[];
  do_not_contact: boolean;
  custom_fields: Record<string, unknown>;
  import_ids: string[];
  source: string;
  whatsapp_profile_name?: string;
  last_inbound_at?: Date;
  created_at: Date;
  updated_at: Date;
}

export interface ImportRowError {
  row: number;
  code: string;
  message: string;
}

export interface ImportDoc {
  _id: string;
  org_id: string;
  source: string;
  name?: string;
  status: ImportStatus;
  total_rows?: number;
  created: number;
  updated: number;
  failed: number;
  /** The first {@link MAX_STORED_IMPORT_ERRORS} row errors of every bulk request to the import. */
  row_errors: ImportRowError[];
  created_at: Date;
  updated_at: Date;
}

/** Row errors kept on an import document (the counts stay exact beyond it). */
export const MAX_STORED_IMPORT_ERRORS = 1000;

const consentSchema = new Schema<ConsentChange>(
  { from: { type: String, enum: [...OPT_IN_STATUSES, null] }, to: { type: String, enum: OPT_IN_STATUSES, required: true }, source: String, at: { type: Date, required: true } },
  { _id: false },
);

const contactSchema = new Schema<ContactDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    phone: { type: String, required: true },
    name: String,
    first_name: String,
    email: String,
    company: String,
    tags: { type: [String], default: [] },
    locale: String,
    timezone: String,
    opt_in_status: { type: String, enum: OPT_IN_STATUSES, required: true, default: 'unknown' },
    opt_in_source: String,
    opt_in_at: Date,
    consent_history: { type: [consentSchema], default: [] },
    do_not_contact: { type: Boolean, default: false },
    custom_fields: { type: Schema.Types.Mixed, default: {} },
    import_ids: { type: [String], default: [] },
    source: { type: String, required: true },
    whatsapp_profile_name: String,
    last_inbound_at: Date,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'contacts', versionKey: false, minimize: false, autoIndex: true },
);
// contact.created is recorded with the insert (src/platform/events/outbox.ts).
addOutbox(contactSchema);
contactSchema.index({ org_id: 1, phone: 1 }, { unique: true });
contactSchema.index({ org_id: 1, email: 1 }, { unique: true, partialFilterExpression: { email: { $exists: true } } });
contactSchema.index({ org_id: 1, import_ids: 1 });
contactSchema.index({ org_id: 1, tags: 1 });
contactSchema.index({ org_id: 1, created_at: 1, _id: 1 });

const importSchema = new Schema<ImportDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    source: { type: String, required: true },
    name: String,
    status: { type: String, enum: IMPORT_STATUSES, required: true },
    total_rows: Number,
    created: { type: Number, default: 0 },
    updated: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    row_errors: { type: [{ _id: false, row: Number, code: String, message: String }], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'imports', versionKey: false, autoIndex: true },
);
importSchema.index({ org_id: 1, created_at: 1, _id: 1 });

export type ContactModel = Model<ContactDoc>;
export type ImportModel = Model<ImportDoc>;

/** The models on `connection` (registered once per connection). */
export function contactModels(connection: Connection): { Contact: ContactModel; Import: ImportModel } {
  return {
    Contact: modelOn(connection, 'Contact', contactSchema),
    Import: modelOn(connection, 'Import', importSchema),
  };
}
