import { AppError } from '../../../platform/http/errors.js';
import type { TaskDoc } from '../models.js';
import type { TaskFilters, TaskStore } from '../store.js';

export interface TaskRouteDeps {
  tasks: TaskStore;
  /** Whether the lead is the organization's (the leads module answers). */
  leadExists(orgId: string, leadId: string): Promise<boolean>;
}

/** 404 unless the lead is the organization's (another organization's is unknown). */
export async function requireLead(deps: TaskRouteDeps, orgId: string, leadId: string): Promise<void> {
  if (!(await deps.leadExists(orgId, leadId))) throw new AppError('NOT_FOUND', `No lead ${leadId}`);
}

/** The task, or 404 (another organization's is unknown). */
export async function taskOr404(deps: TaskRouteDeps, orgId: string, id: string): Promise<TaskDoc> {
  const doc = await deps.tasks.get(orgId, id);
  if (!doc) throw new AppError('NOT_FOUND', `No task ${id}`);
  return doc;
}

/** The list filters of a query: text trimmed, an empty one is no filter. */
export function filtersOf(query: { search?: string; status?: TaskFilters['status']; action?: string; target_name?: string; tag?: string; lead_id?: string }): TaskFilters {
  const text = (v: string | undefined) => v?.trim() || undefined;
  return { search: text(query.search), status: query.status, action: text(query.action), target_name: text(query.target_name), tag: text(query.tag), lead_id: text(query.lead_id) };
}

export const TASK_DELETED = { success: true, message: 'Task deleted successfully' } as const;
export const TASKS_REORDERED = { success: true, message: 'Tasks reordered successfully' } as const;
