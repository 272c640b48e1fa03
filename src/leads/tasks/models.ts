/**
 * Follow-up tasks of a lead (collection `lead_tasks`): the customer's "lead per vehicle" (seed
 * 001) as a task per lead. Like contacts and leads, every document carries `org_id` and every
 * query filters by it, and field names are the API's (snake_case).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '../../platform/mongo/model.js';

export const TASK_STATUSES = ['NEW', 'COMPLETED', 'NOT_NEEDED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What a task list can be sorted by (ties: created_at, then _id). */
export const TASK_SORT_FIELDS = ['order', 'status', 'action', 'target_name', 'created_at'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** At most this many tasks in one reorder request. */
export const MAX_REORDER_ENTRIES = 500;

/** Field limits (characters, after trimming). */
export const TASK_LIMITS = { action: 200, target_name: 200, target_info: 500, tag: 100, note: 1000 } as const;

export interface TaskDoc {
  _id: string;
  org_id: string;
  lead_id: string;
  status: TaskStatus;
  action: string;
  target_name: string;
  target_info: string;
  tag?: string;
  note?: string;
  /** Position among the lead's tasks (ascending); ties keep creation order. */
  order: number;
  /** When the task last became COMPLETED (kept while it stays so; removed when it leaves that status). */
  completed_at?: Date;
  created_at: Date;
  updated_at: Date;
}

const taskSchema = new Schema<TaskDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    lead_id: { type: String, required: true },
    status: { type: String, enum: TASK_STATUSES, required: true, default: 'NEW' },
    action: { type: String, required: true },
    target_name: { type: String, default: '' },
    target_info: { type: String, default: '' },
    tag: String,
    note: String,
    order: { type: Number, required: true, default: 0 },
    completed_at: Date,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'lead_tasks', versionKey: false, autoIndex: true },
);
// Each list's filter by equality, then its default sort with the tie-break (order, created_at,
// _id), so a page is read off the index instead of sorted in memory; a descending sort walks it
// backwards. A lead's tasks (GET /leads/{id}/tasks, ?lead_id=, reorder, deleteForLeads):
taskSchema.index({ org_id: 1, lead_id: 1, order: 1, created_at: 1, _id: 1 });
// ?status= (the usual "what is still open" question):
taskSchema.index({ org_id: 1, status: 1, order: 1, created_at: 1, _id: 1 });
// Every task of the organization, in the default order and by creation:
taskSchema.index({ org_id: 1, order: 1, created_at: 1, _id: 1 });
taskSchema.index({ org_id: 1, created_at: 1, _id: 1 });

export type TaskModel = Model<TaskDoc>;

/** The model on `connection` (registered once per connection). */
export function taskModel(connection: Connection): TaskModel {
  return modelOn(connection, 'LeadTask', taskSchema);
}
