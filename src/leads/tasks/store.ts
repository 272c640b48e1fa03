import type { Connection } from 'mongoose';
import { AppError } from '../../platform/http/errors.js';
import type { Pagination } from '../../platform/http/pagination.js';
import { newTaskId } from './ids.js';
import { MAX_REORDER_ENTRIES, taskModel, type SortOrder, type TaskDoc, type TaskSortField, type TaskStatus } from './models.js';

/** A new task's fields (already shaped by schemas.ts; strings trimmed). */
export interface NewTask {
  action: string;
  target_name: string;
  target_info: string;
  tag?: string | null;
  note?: string | null;
  status?: TaskStatus;
  order?: number;
}

/** A partial change: fields left out stay; `null` clears tag or note. */
export type TaskChanges = Partial<NewTask>;

export interface TaskFilters {
  lead_id?: string;
  status?: TaskStatus;
  /** Case-insensitive substring of action, target_name or tag. */
  search?: string;
  /** Exact, case-insensitive. */
  action?: string;
  target_name?: string;
  tag?: string;
}

export interface TaskSort {
  sort_by: TaskSortField;
  sort_order: SortOrder;
}

export interface TaskOrderEntry {
  id: string;
  order: number;
}

export interface TaskStore {
  create(orgId: string, leadId: string, input: NewTask, now?: Date): Promise<TaskDoc>;
  get(orgId: string, id: string): Promise<TaskDoc | null>;
  list(orgId: string, filters: TaskFilters, sort: TaskSort, page: Pagination): Promise<{ data: TaskDoc[]; total: number }>;
  /** Changes the given fields; null when the task is not the organization's. */
  update(orgId: string, id: string, changes: TaskChanges, now?: Date): Promise<TaskDoc | null>;
  delete(orgId: string, id: string): Promise<boolean>;
  /**
   * Sets the order of some of a lead's tasks, all or nothing: every entry is checked first (1 to
   * {@link MAX_REORDER_ENTRIES} entries, no id twice, every id a task of this lead in this
   * organization) and a 400 naming the offending entries changes nothing; then one bulkWrite.
   * (The lead's own existence is the caller's to check.)
   */
  reorder(orgId: string, leadId: string, entries: readonly TaskOrderEntry[], now?: Date): Promise<{ updated: number }>;
  /** Deletes every task of these leads (when the leads go with their contact); returns how many. */
  deleteForLeads(orgId: string, leadIds: string[]): Promise<number>;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactIgnoringCase = (s: string) => new RegExp(`^${escapeRegex(s)}$`, 'i');

/** A tag or note as stored: trimmed, and an empty one is none. */
const optionalText = (v: string | null | undefined): string | undefined => {
  const t = v?.trim();
  return t ? t : undefined;
};

/** The Mongo filter of a list. */
export function taskQuery(orgId: string, filters: TaskFilters): Record<string, unknown> {
  const query: Record<string, unknown> = { org_id: orgId };
  if (filters.lead_id) query.lead_id = filters.lead_id;
  if (filters.status) query.status = filters.status;
  if (filters.action) query.action = exactIgnoringCase(filters.action);
  if (filters.target_name) query.target_name = exactIgnoringCase(filters.target_name);
  if (filters.tag) query.tag = exactIgnoringCase(filters.tag);
  if (filters.search) {
    const pattern = new RegExp(escapeRegex(filters.search), 'i');
    query.$or = [{ action: pattern }, { target_name: pattern }, { tag: pattern }];
  }
  return query;
}

/** The Mongo sort of a list: the field, then created_at and _id, all in the same direction (so one index serves both). */
export function taskSort(sort: TaskSort): Record<string, 1 | -1> {
  const d = sort.sort_order === 'desc' ? -1 : 1;
  return sort.sort_by === 'created_at' ? { created_at: d, _id: d } : { [sort.sort_by]: d, created_at: d, _id: d };
}

export function createTaskStore(connection: Connection): TaskStore {
  const Task = taskModel(connection);
  const get = (orgId: string, id: string) => Task.findOne({ _id: id, org_id: orgId }).lean<TaskDoc>();

  return {
    async create(orgId, leadId, input, now = new Date()) {
      const status = input.status ?? 'NEW';
      const tag = optionalText(input.tag);
      const note = optionalText(input.note);
      const doc: TaskDoc = {
        _id: newTaskId(),
        org_id: orgId,
        lead_id: leadId,
        status,
        action: input.action,
        target_name: input.target_name,
        target_info: input.target_info,
        ...(tag === undefined ? {} : { tag }),
        ...(note === undefined ? {} : { note }),
        order: input.order ?? 0,
        ...(status === 'COMPLETED' ? { completed_at: now } : {}),
        created_at: now,
        updated_at: now,
      };
      await Task.collection.insertOne(doc as never);
      return doc;
    },

    get,

    async list(orgId, filters, sort, page) {
      const query = taskQuery(orgId, filters);
      const [data, total] = await Promise.all([
        Task.find(query).sort(taskSort(sort)).skip(page.skip).limit(page.limit).lean<TaskDoc[]>(),
        Task.countDocuments(query),
      ]);
      return { data, total };
    },

    async update(orgId, id, changes, now = new Date()) {
      const set: Record<string, unknown> = {};
      const unset: Record<string, ''> = {};
      for (const field of ['action', 'target_name', 'target_info', 'order'] as const) {
        if (changes[field] !== undefined) set[field] = changes[field];
      }
      for (const field of ['tag', 'note'] as const) {
        if (changes[field] === undefined) continue;
        const value = optionalText(changes[field]);
        if (value === undefined) unset[field] = '';
        else set[field] = value;
      }
      const update: Record<string, unknown> = {};
      if (changes.status !== undefined) {
        set.status = changes.status;
        // Becoming COMPLETED stamps the time; staying COMPLETED keeps the first stamp; leaving clears it.
        if (changes.status === 'COMPLETED') update.$min = { completed_at: now };
        else unset.completed_at = '';
      }
      if (Object.keys(set).length === 0 && Object.keys(unset).length === 0) return get(orgId, id);
      update.$set = { ...set, updated_at: now };
      if (Object.keys(unset).length) update.$unset = unset;
      return Task.findOneAndUpdate({ _id: id, org_id: orgId }, update, { returnDocument: 'after' }).lean<TaskDoc>();
    },

    async delete(orgId, id) {
      const result = await Task.deleteOne({ _id: id, org_id: orgId });
      return result.deletedCount === 1;
    },

    async reorder(orgId, leadId, entries, now = new Date()) {
      if (entries.length === 0) throw new AppError('VALIDATION_ERROR', 'task_orders must name at least one task', [{ path: 'task_orders', message: 'empty' }]);
      if (entries.length > MAX_REORDER_ENTRIES) {
        throw new AppError('VALIDATION_ERROR', `At most ${MAX_REORDER_ENTRIES} tasks per reorder`, [{ path: 'task_orders', message: `${entries.length} entries` }]);
      }
      const seen = new Set<string>();
      const duplicates = entries.flatMap((e, i) => {
        if (!seen.has(e.id)) {
          seen.add(e.id);
          return [];
        }
        return [{ path: `task_orders.${i}.id`, message: `${e.id} appears more than once`, id: e.id }];
      });
      if (duplicates.length) throw new AppError('VALIDATION_ERROR', 'Each task may appear once; nothing was changed', duplicates);

      const ids = entries.map((e) => e.id);
      const found = await Task.collection.find({ _id: { $in: ids }, org_id: orgId, lead_id: leadId } as never, { projection: { _id: 1 } }).toArray();
      const ours = new Set(found.map((d) => String(d._id)));
      // Unknown, another lead's and another organization's ids are refused alike (no existence leaks).
      const foreign = entries.flatMap((e, i) => (ours.has(e.id) ? [] : [{ path: `task_orders.${i}.id`, message: `${e.id} is not a task of lead ${leadId}`, id: e.id }]));
      if (foreign.length) throw new AppError('VALIDATION_ERROR', 'Not every id is a task of this lead; nothing was changed', foreign);

      const result = await Task.collection.bulkWrite(
        entries.map((e) => ({ updateOne: { filter: { _id: e.id, org_id: orgId, lead_id: leadId } as never, update: { $set: { order: e.order, updated_at: now } } } })),
        { ordered: false },
      );
      return { updated: result.matchedCount };
    },

    async deleteForLeads(orgId, leadIds) {
      if (leadIds.length === 0) return 0;
      const result = await Task.deleteMany({ org_id: orgId, lead_id: { $in: leadIds } });
      return result.deletedCount;
    },
  };
}
