import { mongo, type Connection } from 'mongoose';
import { newEvent, noEvents, outboxFields, outboxUpdate, type EventRecorder } from '../platform/events/outbox.js';
import { AppError } from '../platform/http/errors.js';
import type { Pagination } from '../platform/http/pagination.js';
import { newId } from './ids.js';
import { contactModels, MAX_STORED_IMPORT_ERRORS, type ConsentChange, type ContactDoc, type ImportDoc, type ImportRowError, type ImportStatus, type OptInStatus } from './models.js';
import type { NormalizedContact } from './normalize.js';
import { isDuplicateKey } from './duplicate-key.js';
import { createWhatsAppRecords, type WhatsAppRecords } from './whatsapp-records.js';

export interface ContactFilters {
  import_id?: string;
  tag?: string;
  q?: string;
  opt_in_status?: OptInStatus;
}

/** One row of a bulk request that passed the value rules. */
export interface BulkRow {
  row: number;
  value: NormalizedContact & { phone: string };
}

export interface BatchResult {
  created: number;
  updated: number;
  failed: number;
  errors: ImportRowError[];
}

/**
 * Told after contacts changed or were deleted (e.g. leads keep a copy of the name, email and phone
 * for search, and go with their contact). Awaited: a listener's failure fails the request that
 * changed the contact, so a copy is never silently left stale.
 */
export interface ContactListener {
  changed?(orgId: string, ids: readonly string[]): Promise<void>;
  deleted?(orgId: string, id: string): Promise<void>;
}

export interface ContactStore extends WhatsAppRecords {
  /** Adds a listener for contact changes made through this store (API, bulk rows). */
  listen(listener: ContactListener): void;
  /** Resolves once the indexes exist (the unique ones are what keep phone and email unique). */
  ready(): Promise<void>;
  create(orgId: string, input: NormalizedContact & { phone: string }, options?: { importId?: string; now?: Date }): Promise<ContactDoc>;
  get(orgId: string, id: string): Promise<ContactDoc | null>;
  list(orgId: string, filters: ContactFilters, page: Pagination): Promise<{ data: ContactDoc[]; total: number }>;
  update(orgId: string, id: string, input: NormalizedContact, now?: Date): Promise<ContactDoc | null>;
  delete(orgId: string, id: string): Promise<boolean>;
  /** Upserts rows keyed by (org, phone) in one bulkWrite; a row that fails never fails the others. Rows must have distinct phones. */
  upsertBatch(orgId: string, imp: { id: string; source: string }, rows: readonly BulkRow[], now?: Date): Promise<BatchResult>;
}

export interface ImportStore {
  create(orgId: string, input: { source: string; name?: string }, now?: Date): Promise<ImportDoc>;
  get(orgId: string, id: string): Promise<ImportDoc | null>;
  update(orgId: string, id: string, input: { status: ImportStatus; total_rows?: number }, now?: Date): Promise<ImportDoc | null>;
  /** Adds a batch's outcome with one atomic `$inc` (concurrent bulk requests to one import add up). */
  addOutcome(orgId: string, id: string, outcome: BatchResult, now?: Date): Promise<void>;
}


const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The fields of `input` to `$set` and `$unset` (consent fields excluded: they go through {@link consentUpdate}). */
function fieldUpdates(input: NormalizedContact): { set: Record<string, unknown>; unset: Record<string, ''> } {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const field of ['phone', 'name', 'first_name', 'email', 'company', 'tags', 'locale', 'timezone', 'do_not_contact', 'custom_fields'] as const) {
    const v = input[field];
    if (v === undefined) continue;
    if (v === null) unset[field] = '';
    else set[field] = v;
  }
  return { set, unset };
}

/** The consent change `input` makes to a contact whose status is `previous` (undefined: a new contact), or nothing. */
function consentChange(input: NormalizedContact, previous: OptInStatus | undefined, now: Date): ConsentChange | undefined {
  if (input.opt_in_status === undefined || input.opt_in_status === previous) return undefined;
  return { from: previous ?? null, to: input.opt_in_status, source: input.opt_in_source ?? null, at: input.opt_in_at ?? now };
}

function consentSet(change: ConsentChange): Record<string, unknown> {
  return { opt_in_status: change.to, opt_in_at: change.at, ...(change.source ? { opt_in_source: change.source } : {}) };
}

/** A contact's first document, from its normalized fields (create and a bulk row with a new phone). */
function newContactDoc(orgId: string, input: NormalizedContact, origin: { importIds: string[]; source: string; now: Date }): ContactDoc {
  const change = consentChange(input, undefined, origin.now);
  const { set } = fieldUpdates(input);
  return {
    tags: [],
    custom_fields: {},
    do_not_contact: false,
    ...(set as Partial<ContactDoc>),
    _id: newId('ct'),
    org_id: orgId,
    phone: input.phone,
    opt_in_status: 'unknown',
    ...(change ? consentSet(change) : {}),
    consent_history: change ? [change] : [],
    import_ids: origin.importIds,
    source: input.source ?? origin.source,
    created_at: origin.now,
    updated_at: origin.now,
  } as ContactDoc;
}

/** A contact as its events carry it (src/platform/events/catalog.ts, `EventContact`). */
function contactEventSnapshot(doc: Record<string, unknown>): Record<string, unknown> {
  return { id: doc._id, phone: doc.phone, name: doc.name ?? null, email: doc.email ?? null, source: doc.source, opt_in_status: doc.opt_in_status, created_at: (doc.created_at as Date).toISOString() };
}

export function createContactStores(connection: Connection, events: EventRecorder = noEvents): { contacts: ContactStore; imports: ImportStore } {
  const { Contact, Import } = contactModels(connection);
  /** Records contact.created on new documents, when the organization wants it. */
  const stampCreated = async (orgId: string, docs: Record<string, unknown>[]): Promise<boolean> => {
    if (docs.length === 0 || !(await events.wanted(orgId, ['contact.created'])).size) return false;
    for (const doc of docs) Object.assign(doc, outboxFields([newEvent('contact.created', orgId, { type: 'contact', id: String(doc._id) }, { contact: contactEventSnapshot(doc) }, doc.created_at as Date)]));
    return true;
  };
  const flushContact = (id: string) => events.flush(Contact.collection.collectionName, { _id: id });
  /** contact.unsubscribed for a consent change to opted_out, when the organization wants it: the operators to add to that change's update. */
  const unsubscribedOutbox = async (orgId: string, contactId: string, change: ConsentChange | undefined, wanted?: boolean): Promise<Record<string, Record<string, unknown>>> => {
    if (change?.to !== 'opted_out' || !(wanted ?? (await events.wanted(orgId, ['contact.unsubscribed'])).size > 0)) return {};
    const event = newEvent('contact.unsubscribed', orgId, { type: 'contact', id: contactId }, { contact_id: contactId, source: change.source, at: change.at.toISOString() }, change.at);
    return outboxUpdate([event]) as Record<string, Record<string, unknown>>;
  };
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Promise.all([Contact.init(), Import.init()]).then(() => undefined));
  const order = { created_at: 1, _id: 1 } as const;
  const listeners: ContactListener[] = [];
  const notifyChanged = async (orgId: string, ids: readonly string[]) => {
    for (const l of listeners) await l.changed?.(orgId, ids);
  };

  /** The 409 for a duplicate key, naming the field and the contact that has it. */
  async function conflict(orgId: string, err: { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> }, input: NormalizedContact): Promise<AppError> {
    const field = err.keyPattern && 'email' in err.keyPattern ? 'email' : err.keyPattern && 'phone' in err.keyPattern ? 'phone' : input.email ? 'email' : 'phone';
    const value = (err.keyValue?.[field] as string | undefined) ?? input[field] ?? undefined;
    const existing = value ? await Contact.findOne({ org_id: orgId, [field]: value }, { _id: 1 }).lean<{ _id: string }>() : null;
    return new AppError('CONFLICT', `A contact with this ${field} exists already`, { field, existing_id: existing?._id ?? null });
  }

  /**
   * One round of a bulk batch: a new phone is an insert (with our own string id), a known one an
   * update; one unordered bulkWrite. (Not an upsert with `$setOnInsert: {_id}`: the embedded store
   * refuses that, mongod does not.) Inserts that lose a race on the phone come back in `retry`.
   */
  async function writeBatch(orgId: string, imp: { id: string; source: string }, rows: readonly BulkRow[], now: Date, lastAttempt: boolean): Promise<BatchResult & { retry: BulkRow[] }> {
    const existing = await Contact.collection
      .find({ org_id: orgId, phone: { $in: rows.map((r) => r.value.phone) } }, { projection: { _id: 1, phone: 1, opt_in_status: 1 } })
      .toArray();
    const updatedIds = existing.map((d) => String(d._id));
    const statusByPhone = new Map(existing.map((d) => [d.phone as string, d.opt_in_status as OptInStatus]));
    const inserts = new Set<number>();
    const fresh = new Map<number, ContactDoc>();
    rows.forEach(({ value }, index) => {
      if (!statusByPhone.has(value.phone)) fresh.set(index, newContactDoc(orgId, value, { importIds: [imp.id], source: imp.source, now }));
    });
    // Their contact.created events wait for the outbox sweep (a batch, not a flush each), like the rows' opt-outs.
    await stampCreated(orgId, [...fresh.values()] as unknown as Record<string, unknown>[]);
    const optOutsWanted = (await events.wanted(orgId, ['contact.unsubscribed'])).size > 0;
    const idByPhone = new Map(existing.map((d) => [d.phone as string, String(d._id)]));
    const outboxes = new Map<number, Record<string, Record<string, unknown>>>();
    for (const [index, { value }] of rows.entries()) {
      const id = idByPhone.get(value.phone);
      if (!id || fresh.has(index)) continue;
      const outbox = await unsubscribedOutbox(orgId, id, consentChange(value, statusByPhone.get(value.phone), now), optOutsWanted);
      if (outbox.$push) outboxes.set(index, outbox);
    }
    const ops = rows.map(({ value }, index) => {
      const doc = fresh.get(index);
      if (doc) {
        inserts.add(index);
        return { insertOne: { document: doc } };
      }
      const change = consentChange(value, statusByPhone.get(value.phone), now);
      // A bulk row adds its tags and import; custom_fields, when the row has any, replace the old ones.
      const { set } = fieldUpdates({ ...value, tags: undefined, phone: undefined });
      const update: Record<string, unknown> = {
        $set: { ...set, ...(change ? consentSet(change) : {}), updated_at: now },
        $addToSet: { import_ids: imp.id, tags: { $each: value.tags ?? [] } },
      };
      if (change) update.$push = { consent_history: change };
      const outbox = outboxes.get(index);
      if (outbox) {
        update.$push = { ...(update.$push as object), ...outbox.$push };
        update.$min = outbox.$min;
      }
      return { updateOne: { filter: { org_id: orgId, phone: value.phone }, update } };
    });
    let writeErrors: { index: number; code?: number; errmsg?: string }[] = [];
    try {
      await Contact.collection.bulkWrite(ops as never, { ordered: false });
    } catch (err) {
      if (!(err instanceof mongo.MongoBulkWriteError)) throw err;
      writeErrors = (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).map((w) => ({ index: w.index, code: w.code, errmsg: w.errmsg }));
    }
    const retry: BulkRow[] = [];
    const failedRows: { row: BulkRow; err: { code?: number; errmsg?: string } }[] = [];
    for (const w of writeErrors) {
      const row = rows[w.index];
      if (!row) continue;
      const phoneTaken = w.code === 11000 && /index: \S*phone/.test(w.errmsg ?? '');
      if (phoneTaken && inserts.has(w.index) && !lastAttempt) {
        retry.push(row);
      } else failedRows.push({ row, err: w });
    }
    const errors: ImportRowError[] = [];
    if (failedRows.length) {
      const emails = failedRows.map((f) => f.row.value.email).filter((e): e is string => typeof e === 'string');
      const owners = emails.length ? await Contact.collection.find({ org_id: orgId, email: { $in: emails } }, { projection: { email: 1 } }).toArray() : [];
      const ownerByEmail = new Map(owners.map((o) => [o.email as string, String(o._id)]));
      for (const { row, err } of failedRows) {
        const owner = row.value.email ? ownerByEmail.get(row.value.email) : undefined;
        errors.push(
          err.code === 11000
            ? { row: row.row, code: 'CONFLICT', message: owner ? `email ${row.value.email} belongs to contact ${owner}` : 'phone or email belongs to another contact' }
            : { row: row.row, code: 'INTERNAL_ERROR', message: 'the row could not be written' },
        );
      }
    }
    if (updatedIds.length) await notifyChanged(orgId, updatedIds);
    const insertErrors = writeErrors.filter((w) => inserts.has(w.index)).length;
    const created = inserts.size - insertErrors;
    const updated = rows.length - inserts.size - (writeErrors.length - insertErrors);
    return { created, updated, failed: failedRows.length, errors, retry };
  }

  const contacts: ContactStore = {
    ready,
    listen(listener) {
      listeners.push(listener);
    },
    async create(orgId, input, options = {}) {
      await ready();
      const now = options.now ?? new Date();
      const doc = newContactDoc(orgId, input, { importIds: options.importId ? [options.importId] : [], source: 'api', now });
      const stamped = { ...doc } as Record<string, unknown>;
      const recorded = await stampCreated(orgId, [stamped]);
      try {
        await Contact.collection.insertOne(stamped as never);
      } catch (err) {
        if (isDuplicateKey(err)) throw await conflict(orgId, err, input);
        throw err;
      }
      if (recorded) flushContact(doc._id);
      return doc;
    },
    async get(orgId, id) {
      return Contact.findOne({ _id: id, org_id: orgId }).lean<ContactDoc>();
    },
    async list(orgId, filters, page) {
      const query: Record<string, unknown> = { org_id: orgId };
      if (filters.import_id) query.import_ids = filters.import_id;
      if (filters.tag) query.tags = filters.tag;
      if (filters.opt_in_status) query.opt_in_status = filters.opt_in_status;
      if (filters.q) {
        const pattern = new RegExp(escapeRegex(filters.q), 'i');
        const digits = filters.q.replace(/\D/g, '');
        query.$or = [{ name: pattern }, { email: pattern }, { phone: digits.length >= 3 ? new RegExp(escapeRegex(digits)) : pattern }];
      }
      const [data, total] = await Promise.all([Contact.find(query).sort(order).skip(page.skip).limit(page.limit).lean<ContactDoc[]>(), Contact.countDocuments(query)]);
      return { data, total };
    },
    async update(orgId, id, input, now = new Date()) {
      await ready();
      // Optimistic on the consent status: a change recorded in between makes us re-read, so every
      // change lands in the history with the right `from`.
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await Contact.findOne({ _id: id, org_id: orgId }, { opt_in_status: 1 }).lean<Pick<ContactDoc, '_id' | 'opt_in_status'>>();
        if (!current) return null;
        const change = consentChange(input, current.opt_in_status, now);
        const { set, unset } = fieldUpdates(input);
        const update: Record<string, unknown> = { $set: { ...set, ...(change ? consentSet(change) : {}), updated_at: now } };
        if (Object.keys(unset).length) update.$unset = unset;
        if (change) update.$push = { consent_history: change };
        // An opt-out is told to integrators in the same write (outbox).
        const outbox = await unsubscribedOutbox(orgId, id, change);
        if (outbox.$push) update.$push = { ...(update.$push as object), ...outbox.$push };
        if (outbox.$min) update.$min = outbox.$min;
        try {
          const updated = await Contact.findOneAndUpdate({ _id: id, org_id: orgId, opt_in_status: current.opt_in_status }, update, { returnDocument: 'after', projection: { _outbox: 0, _outbox_at: 0 } }).lean<ContactDoc>();
          if (updated) {
            if (outbox.$push) flushContact(id);
            await notifyChanged(orgId, [id]);
            return updated;
          }
        } catch (err) {
          if (isDuplicateKey(err)) throw await conflict(orgId, err, input);
          throw err;
        }
      }
      throw new AppError('CONFLICT', 'The contact is being changed concurrently; retry');
    },
    async delete(orgId, id) {
      if (!(await Contact.exists({ _id: id, org_id: orgId }))) return false;
      // What hangs off the contact goes first: a crash in between leaves the contact, never orphans.
      for (const l of listeners) await l.deleted?.(orgId, id);
      const result = await Contact.deleteOne({ _id: id, org_id: orgId });
      return result.deletedCount === 1;
    },
    async upsertBatch(orgId, imp, rows, now = new Date()) {
      await ready();
      const total: BatchResult = { created: 0, updated: 0, failed: 0, errors: [] };
      let pending = rows;
      // A phone inserted by someone else between our read and our write is written again as an update.
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { retry, ...outcome } = await writeBatch(orgId, imp, pending, now, attempt >= 2);
        total.created += outcome.created;
        total.updated += outcome.updated;
        total.failed += outcome.failed;
        total.errors.push(...outcome.errors);
        pending = retry;
      }
      total.errors.sort((a, b) => a.row - b.row);
      return total;
    },
    ...createWhatsAppRecords(Contact.collection, ready, stampCreated, flushContact),
  };

  const imports: ImportStore = {
    async create(orgId, input, now = new Date()) {
      const doc: ImportDoc = { _id: newId('imp'), org_id: orgId, source: input.source, ...(input.name ? { name: input.name } : {}), status: 'processing', created: 0, updated: 0, failed: 0, row_errors: [], created_at: now, updated_at: now };
      await Import.collection.insertOne(doc as never);
      return doc;
    },
    async get(orgId, id) {
      return Import.findOne({ _id: id, org_id: orgId }).lean<ImportDoc>();
    },
    async update(orgId, id, input, now = new Date()) {
      const set: Record<string, unknown> = { status: input.status, updated_at: now };
      if (input.total_rows !== undefined) set.total_rows = input.total_rows;
      return Import.findOneAndUpdate({ _id: id, org_id: orgId }, { $set: set }, { returnDocument: 'after' }).lean<ImportDoc>();
    },
    async addOutcome(orgId, id, outcome, now = new Date()) {
      const update: Record<string, unknown> = { $inc: { created: outcome.created, updated: outcome.updated, failed: outcome.failed }, $set: { updated_at: now } };
      if (outcome.errors.length) update.$push = { row_errors: { $each: outcome.errors, $slice: MAX_STORED_IMPORT_ERRORS } };
      await Import.collection.updateOne({ _id: id, org_id: orgId } as never, update);
    },
  };

  return { contacts, imports };
}
