import type { LaneHandlers, LaneItemBase } from '../../queues/lanes.js';
import type { Mailbox, MailboxHandler } from '../../queues/mailbox.js';
import type { WorkerDefinition } from '../../queues/workers.js';
import type { RouteGroup, RouteGroupName } from './http/route-group.js';

/** What the composition root hands a module when it collects the worker definitions. */
export interface WorkerContext {
  /** Every module's lane handlers merged into one: what a conversation lane runs each item through. */
  laneHandler: MailboxHandler<LaneItemBase>;
  /** Every module's mailboxes, for the janitor that re-adds lost drain jobs. */
  mailboxes: Mailbox<never>[];
}

/**
 * The one contract every feature implements. A module is built by its `createXModule(deps)`
 * factory (the composition root passes each one the platform pieces and the ports of the modules
 * it depends on) and contributes, through this object only:
 *
 * - `routes`: registration functions by route group. A group applies its authentication to every
 *   route registered in it (see route-group.ts), so a route cannot be public by omission.
 * - `workers`: the BullMQ processors it runs in worker processes.
 * - `laneHandlers`: the conversation-lane item kinds it owns.
 * - `mailboxes`: its ordered mailboxes, so the janitor repairs them too.
 * - `bodyLimits`: the paths that take more than the default body size.
 *
 * The composition root loops over the modules; it never wires a feature's routes or queues by hand.
 */
export interface Module {
  readonly name: string;
  routes?: Partial<Record<RouteGroupName, (group: RouteGroup) => void>>;
  workers?: (ctx: WorkerContext) => WorkerDefinition[];
  laneHandlers?: LaneHandlers;
  mailboxes?: Mailbox<never>[];
  /** Request body limits above the default 1 MiB, by exact path (bulk uploads). */
  bodyLimits?: Readonly<Record<string, number>>;
}
