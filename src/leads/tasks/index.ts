import type { Connection } from 'mongoose';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { taskRoutes } from './routes/index.js';
import { createTaskStore, type TaskStore } from './store.js';

export type { TaskDoc, TaskStatus } from './models.js';
export type { TaskStore } from './store.js';

export interface LeadTasks {
  store: TaskStore;
  /** Registers `/api/v1/leads/{id}/tasks*` and `/api/v1/tasks*`; give it the `v1` group. */
  routes: (group: RouteGroup) => void;
}

/**
 * Follow-up tasks of a lead (the customer's seed 001): the store and the business API's routes.
 * `leadExists` answers whether a lead is the organization's (the leads module owns leads), so
 * a task is only ever added to, listed or reordered under a lead of the caller's organization.
 */
export function createLeadTasks(deps: { connection: Connection; leadExists: (orgId: string, leadId: string) => Promise<boolean> }): LeadTasks {
  const store = createTaskStore(deps.connection);
  return { store, routes: taskRoutes({ tasks: store, leadExists: deps.leadExists }) };
}
