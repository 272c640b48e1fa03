/**
 * Organizations (collection `organizations`) and their API keys (collection `api_keys`). Every
 * business document carries an `org_id`; the organization is never named by a request, the key
 * decides it. A key is stored only as its SHA-256 hash (unique index): the secret itself is shown
 * once, when it is created.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { API_KEY_SCOPES, type Scope } from '../platform/http/types.js';
import { modelOn } from '../platform/mongo/model.js';

/** The organization that always exists and owns the WhatsApp number configured in the environment. */
export const DEFAULT_ORG_ID = 'default';

export interface Organization {
  _id: string;
  name: string;
  /** WhatsApp business numbers (phone_number_id) this organization owns. */
  phoneNumberIds: string[];
  createdAt: Date;
}

export interface ApiKey {
  _id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  /** Hex SHA-256 of the whole key: what a presented key is looked up by. */
  hash: string;
  /** The key's first characters (`pk_` + 8), so a person can tell keys apart without the secret. */
  prefix: string;
  createdAt: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

const organizationSchema = new Schema<Organization>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, maxlength: 200 },
    phoneNumberIds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'organizations', versionKey: false },
);
organizationSchema.index({ createdAt: 1, _id: 1 });
organizationSchema.index({ phoneNumberIds: 1 });

const apiKeySchema = new Schema<ApiKey>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true, maxlength: 200 },
    scopes: { type: [{ type: String, enum: API_KEY_SCOPES }], required: true },
    hash: { type: String, required: true },
    prefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: Date,
    lastUsedAt: Date,
  },
  { collection: 'api_keys', versionKey: false },
);
apiKeySchema.index({ hash: 1 }, { unique: true });
apiKeySchema.index({ orgId: 1, createdAt: 1, _id: 1 });

export type OrganizationModel = Model<Organization>;
export type ApiKeyModel = Model<ApiKey>;

/** The models on `connection` (registered once per connection). */
export function apiKeyModels(connection: Connection): { Organization: OrganizationModel; ApiKey: ApiKeyModel } {
  return {
    Organization: modelOn(connection, 'Organization', organizationSchema),
    ApiKey: modelOn(connection, 'ApiKey', apiKeySchema),
  };
}
