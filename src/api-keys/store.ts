import type { Connection } from 'mongoose';
import type { Pagination } from '../platform/http/pagination.js';
import type { Scope } from '../platform/http/types.js';
import { apiKeyModels, DEFAULT_ORG_ID, type ApiKey, type Organization } from './models.js';
import { generateKey, hashKey, looksLikeKey, newId, sameHash, shownPrefix } from './secrets.js';

/** `last_used_at` is written at most this often per key, so a busy key does not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** How long a number's owning organization is remembered (numbers move between organizations rarely). */
const OWNER_CACHE_MS = 30_000;

export interface IssuedKey {
  record: ApiKey;
  /** The secret: returned once, never stored. */
  key: string;
}

export interface ApiKeyStore {
  createOrg(name: string): Promise<Organization>;
  findOrg(id: string): Promise<Organization | null>;
  listOrgs(page: Pagination): Promise<{ data: Organization[]; total: number }>;
  /** Creates `default` if missing and records the environment's WhatsApp number as its own; idempotent. */
  ensureDefaultOrg(phoneNumberId?: string): Promise<Organization>;
  issueKey(orgId: string, input: { name: string; scopes: Scope[] }): Promise<IssuedKey>;
  /** Stores `key` (a key chosen by the caller) unless it exists already; idempotent. */
  ensureKey(orgId: string, input: { name: string; scopes: Scope[]; key: string }): Promise<ApiKey>;
  listKeys(orgId: string, page: Pagination): Promise<{ data: ApiKey[]; total: number }>;
  /** Revokes a key of `orgId`; false when it has no such key. A second revoke keeps the first time. */
  revokeKey(orgId: string, keyId: string, now?: Date): Promise<boolean>;
  /** The organization that owns a business number: the one whose `phoneNumberIds` has it, else `default` (remembered for 30 s). */
  orgForNumber(phoneNumberId: string): Promise<string>;
  /** The live key `presented` is, or undefined (malformed, unknown or revoked). Read from MongoDB every time: a revocation counts at once in every process. */
  verify(presented: string, now?: Date): Promise<ApiKey | undefined>;
}

const isDuplicateKey = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;

export function createApiKeyStore(connection: Connection, now: () => Date = () => new Date()): ApiKeyStore {
  const { Organization, ApiKey } = apiKeyModels(connection);
  // Oldest first, ties by id: a page stays stable while new documents are added at the end.
  const order = { createdAt: 1, _id: 1 } as const;
  const owners = new Map<string, { orgId: string; until: number }>();

  const store: ApiKeyStore = {
    async createOrg(name) {
      const org = await Organization.create({ _id: newId('org'), name, phoneNumberIds: [], createdAt: now() });
      return org.toObject();
    },
    async findOrg(id) {
      return Organization.findById(id).lean<Organization>();
    },
    async listOrgs(p) {
      const [data, total] = await Promise.all([Organization.find().sort(order).skip(p.skip).limit(p.limit).lean<Organization[]>(), Organization.countDocuments()]);
      return { data, total };
    },
    async ensureDefaultOrg(phoneNumberId) {
      const update = { $setOnInsert: { name: 'Default', createdAt: now() }, ...(phoneNumberId ? { $addToSet: { phoneNumberIds: phoneNumberId } } : {}) };
      try {
        await Organization.updateOne({ _id: DEFAULT_ORG_ID }, update, { upsert: true });
      } catch (err) {
        // Two processes starting together both upsert: one inserts, the other loses the race on _id
        // and only needs its own update applied to the document that now exists.
        if (!isDuplicateKey(err)) throw err;
        await Organization.updateOne({ _id: DEFAULT_ORG_ID }, update);
      }
      const org = await Organization.findById(DEFAULT_ORG_ID).lean<Organization>();
      if (!org) throw new Error('the default organization could not be created');
      return org;
    },
    async orgForNumber(phoneNumberId) {
      // Asked for every message (contacts, leads, events): a number's owner is cached for a short while.
      const cached = owners.get(phoneNumberId);
      if (cached && cached.until > Date.now()) return cached.orgId;
      const owner = await Organization.findOne({ phoneNumberIds: phoneNumberId }, { _id: 1 }).lean<{ _id: string }>();
      const orgId = owner?._id ?? DEFAULT_ORG_ID;
      if (owners.size > 10_000) owners.clear();
      owners.set(phoneNumberId, { orgId, until: Date.now() + OWNER_CACHE_MS });
      return orgId;
    },
    async issueKey(orgId, input) {
      const key = generateKey();
      return { record: await insertKey(orgId, input, key), key };
    },
    async ensureKey(orgId, input) {
      const existing = await ApiKey.findOne({ hash: hashKey(input.key) }).lean<ApiKey>();
      if (existing) return existing;
      try {
        return await insertKey(orgId, input, input.key);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const raced = await ApiKey.findOne({ hash: hashKey(input.key) }).lean<ApiKey>();
        if (!raced) throw err;
        return raced;
      }
    },
    async listKeys(orgId, p) {
      const [data, total] = await Promise.all([ApiKey.find({ orgId }).sort(order).skip(p.skip).limit(p.limit).lean<ApiKey[]>(), ApiKey.countDocuments({ orgId })]);
      return { data, total };
    },
    async revokeKey(orgId, keyId, at = now()) {
      const key = await ApiKey.findOne({ _id: keyId, orgId }).lean<ApiKey>();
      if (!key) return false;
      if (!key.revokedAt) await ApiKey.updateOne({ _id: keyId, orgId, revokedAt: null }, { $set: { revokedAt: at } });
      return true;
    },
    async verify(presented, at = now()) {
      if (!looksLikeKey(presented)) return undefined;
      const hash = hashKey(presented);
      const key = await ApiKey.findOne({ hash }).lean<ApiKey>();
      // The lookup is by hash already; comparing in constant time as well keeps the decision itself
      // free of any timing that depends on the stored secret.
      if (!key || !sameHash(key.hash, hash) || key.revokedAt) return undefined;
      if (!key.lastUsedAt || at.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
        await ApiKey.updateOne({ _id: key._id }, { $set: { lastUsedAt: at } });
      }
      return key;
    },
  };

  async function insertKey(orgId: string, input: { name: string; scopes: Scope[] }, key: string): Promise<ApiKey> {
    const doc = await ApiKey.create({
      _id: newId('key'),
      orgId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      hash: hashKey(key),
      prefix: shownPrefix(key),
      createdAt: now(),
    });
    return doc.toObject();
  }

  return store;
}
