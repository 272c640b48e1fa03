import type { Mailbox, MailboxHandler, MailboxItem } from './mailbox.js';

/**
 * What every conversation-lane item has. The lanes are one mailbox shared by several modules:
 * the conversation pipeline puts the user's messages in, the CRM bridge its ticket events and
 * timers; each module declares the kinds it owns and handles them (see {@link LaneHandlers}).
 */
export interface LaneItemBase extends MailboxItem {
  kind: string;
}

/** The handlers a module contributes to the conversation lanes, by item kind. */
export type LaneHandlers = Readonly<Record<string, MailboxHandler<LaneItemBase>>>;

/** Where a module's lane items go: the shared lanes' `push`, typed to the kinds that module may push. */
export type LanePush<T extends LaneItemBase> = Mailbox<T>['push'];

/**
 * Declares a module's lane handlers with full typing: one handler per kind of `T`, each receiving
 * its own variant. A missing kind is a type error.
 *
 * @example laneHandlers<BridgeLaneItem>({ ticket_opened: async (item) => ..., timer: ... })
 */
export function laneHandlers<T extends LaneItemBase>(handlers: { [K in T['kind']]: MailboxHandler<Extract<T, { kind: K }>> }): LaneHandlers {
  // Each handler only ever receives items of its own kind: the dispatcher routes by `kind`.
  return handlers as unknown as LaneHandlers;
}

/**
 * One handler for the whole lane, routing each item to the module that owns its kind. A kind
 * claimed by two modules stops start-up; an item of a kind nobody handles (an item left in Redis
 * by a newer version during a rolling deploy, say) fails, is retried and ends in the dead letters
 * instead of being dropped silently.
 */
export function createLaneDispatcher(sources: { name: string; laneHandlers?: LaneHandlers }[]): MailboxHandler<LaneItemBase> {
  const byKind = new Map<string, { owner: string; handler: MailboxHandler<LaneItemBase> }>();
  for (const { name, laneHandlers: handlers } of sources) {
    for (const [kind, handler] of Object.entries(handlers ?? {})) {
      const taken = byKind.get(kind);
      if (taken) throw new Error(`lane item kind "${kind}" is handled by both ${taken.owner} and ${name}`);
      byKind.set(kind, { owner: name, handler });
    }
  }
  return async (item, ctx) => {
    const entry = byKind.get(item.kind);
    if (!entry) throw new Error(`no module handles lane items of kind "${item.kind}"`);
    return entry.handler(item, ctx);
  };
}
