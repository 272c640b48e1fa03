import { z } from '@hono/zod-openapi';
import { listEnvelopeSchema, paginationQuerySchema } from '../../platform/http/pagination.js';
import { MAX_REORDER_ENTRIES, SORT_ORDERS, TASK_LIMITS, TASK_SORT_FIELDS, TASK_STATUSES, type TaskDoc } from './models.js';

export const taskStatusSchema = z.enum(TASK_STATUSES);
const iso = () => z.string().openapi({ format: 'date-time' });
const text = (max: number) => z.string().trim().max(max);
// A status that is not a string is a wrong shape (400), a string outside the set a refused value
// (422): a bare z.enum reports both as invalid_value.
const statusField = () => z.string().pipe(taskStatusSchema).openapi({ type: 'string', enum: [...TASK_STATUSES], example: 'COMPLETED' });
const orderField = () => z.number().int().openapi({ description: 'Position among the lead’s tasks, ascending (ties keep creation order)', example: 1 });

/** The fields a client writes on a task: types and lengths (400), the status set (422). `null` clears tag or note. */
const taskFieldsSchema = z.object({
  action: text(TASK_LIMITS.action).min(1).openapi({ description: 'What to do', example: 'Llamar para agendar prueba de manejo' }),
  target_name: text(TASK_LIMITS.target_name).openapi({ description: 'Who or what the task is about (e.g. the vehicle)', example: 'Mazda CX-30 2024' }),
  target_info: text(TASK_LIMITS.target_info).openapi({ description: 'Details of the target', example: 'Placa ABC123, color gris' }),
  tag: text(TASK_LIMITS.tag).nullable().optional().openapi({ description: 'Free label; an empty one is none', example: 'test-drive' }),
  note: text(TASK_LIMITS.note).nullable().optional().openapi({ example: 'Prefiere que lo llamen en la tarde' }),
  status: statusField().optional().openapi({ description: 'NEW (default), COMPLETED or NOT_NEEDED' }),
  order: orderField().optional().openapi({ description: 'Position among the lead’s tasks (default 0)' }),
});
export type TaskFields = z.infer<typeof taskFieldsSchema>;

export const createTaskSchema = taskFieldsSchema.openapi('CreateTask');
export const updateTaskSchema = taskFieldsSchema.partial().openapi('UpdateTask');
export const taskOrderSchema = z.object({ order: orderField() }).openapi('TaskOrder');
export const reorderTasksSchema = z
  .object({
    task_orders: z
      .array(z.object({ id: z.string().min(1).max(100).openapi({ example: 'tk_Qm3x8yZpL0aB1cD2' }), order: orderField() }))
      .min(1)
      .max(MAX_REORDER_ENTRIES)
      .openapi({ description: `1–${MAX_REORDER_ENTRIES} tasks of the lead, each once` }),
  })
  .openapi('ReorderTasks');

export const taskSchema = z
  .object({
    id: z.string(),
    lead_id: z.string(),
    status: taskStatusSchema,
    action: z.string(),
    target_name: z.string(),
    target_info: z.string(),
    tag: z.string().nullable(),
    note: z.string().nullable(),
    order: z.number().int(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Task');
export type TaskJson = z.infer<typeof taskSchema>;

export const taskListSchema = listEnvelopeSchema(taskSchema, 'TaskList');

/** The seed's own success answers (delete, reorder). */
export const taskSuccessSchema = z.object({ success: z.literal(true), message: z.string() }).openapi('TaskSuccess');

export const idParam = (example: string) => z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example }) });

const queryText = (name: string, max: number, description: string, example: string) =>
  z.string().max(max).optional().openapi({ param: { name, in: 'query', description }, example });

/** The filters and sorts of a lead's tasks (GET /leads/{id}/tasks); an empty text filter is no filter. */
export const leadTasksQuerySchema = paginationQuerySchema.extend({
  search: queryText('search', 200, 'Case-insensitive substring of action, target_name or tag', 'mazda'),
  status: taskStatusSchema.optional().openapi({ param: { name: 'status', in: 'query' }, example: 'NEW' }),
  action: queryText('action', TASK_LIMITS.action, 'Exact action, case-insensitive', 'Llamar para agendar prueba de manejo'),
  target_name: queryText('target_name', TASK_LIMITS.target_name, 'Exact target_name, case-insensitive', 'Mazda CX-30 2024'),
  tag: queryText('tag', TASK_LIMITS.tag, 'Exact tag, case-insensitive', 'test-drive'),
  sort_by: z.enum(TASK_SORT_FIELDS).default('order').openapi({ param: { name: 'sort_by', in: 'query', description: 'Ties: created_at, then id' }, example: 'order' }),
  sort_order: z.enum(SORT_ORDERS).default('asc').openapi({ param: { name: 'sort_order', in: 'query', description: 'Applies to the tie-breaks too' }, example: 'asc' }),
});

/** GET /tasks: the same, across the organization's leads, and by lead. */
export const tasksQuerySchema = leadTasksQuerySchema.extend({
  lead_id: queryText('lead_id', 100, 'Only this lead’s tasks', 'ld_Qm3x8yZpL0aB1cD2'),
});

export const toTask = (doc: TaskDoc): TaskJson => ({
  id: doc._id,
  lead_id: doc.lead_id,
  status: doc.status,
  action: doc.action,
  target_name: doc.target_name ?? '',
  target_info: doc.target_info ?? '',
  tag: doc.tag ?? null,
  note: doc.note ?? null,
  order: doc.order ?? 0,
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

/** Examples for the OpenAPI document. */
export const taskExample: TaskJson = {
  id: 'tk_Qm3x8yZpL0aB1cD2',
  lead_id: 'ld_k2Jd9sLq0PzX7vBn',
  status: 'NEW',
  action: 'Llamar para agendar prueba de manejo',
  target_name: 'Mazda CX-30 2024',
  target_info: 'Placa ABC123, color gris',
  tag: 'test-drive',
  note: 'Prefiere que lo llamen en la tarde',
  order: 0,
  created_at: '2025-01-15T14:03:00.000Z',
  updated_at: '2025-01-15T14:03:00.000Z',
};
