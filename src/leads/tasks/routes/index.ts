import type { RouteGroup } from '../../../platform/http/route-group.js';
import type { TaskRouteDeps } from './context.js';
import { registerCreateTask } from './create-task.js';
import { registerDeleteTask } from './delete-task.js';
import { registerGetTask } from './get-task.js';
import { registerListLeadTasks } from './list-lead-tasks.js';
import { registerListTasks } from './list-tasks.js';
import { registerReorderTasks } from './reorder-tasks.js';
import { registerUpdateTask } from './update-task.js';
import { registerUpdateTaskOrder } from './update-task-order.js';

/** The business API's lead tasks (`v1` group: an organization's API key). */
export function taskRoutes(deps: TaskRouteDeps): (group: RouteGroup) => void {
  return (group) => {
    registerReorderTasks(group, deps);
    registerCreateTask(group, deps);
    registerListLeadTasks(group, deps);
    registerListTasks(group, deps);
    registerGetTask(group, deps);
    registerUpdateTaskOrder(group, deps);
    registerUpdateTask(group, deps);
    registerDeleteTask(group, deps);
  };
}
