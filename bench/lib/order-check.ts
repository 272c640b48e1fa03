/**
 * Checks the replies recorded by the fake Graph API against what was sent: per user, every message
 * answered (lost), no reply body sent twice (duplicated), replies in the order the messages were sent
 * (out of order). Pure, so later scenarios (e.g. a CRM handover) can reuse it.
 */
import type { ReplyRecord } from './fake-graph.js';
import { parseWamid, userPhone } from './webhook-payloads.js';

/** The verdict of {@link checkOrder}. Every count must be 0 for the road to be correct. */
export interface OrderVerdict {
  expected: number;
  answered: number;
  /** Messages with no reply at all. */
  lost: number;
  /** Extra copies of a reply: the same body for the same inbound wamid arriving more than once. */
  duplicated: number;
  /** Replies for message n arriving after a reply for a later message of the same user. */
  outOfOrder: number;
  /** Replies whose `to` is not the user who sent the message they answer. */
  misrouted: number;
  /** Replies with no or an unknown `biz_opaque_callback_data`. */
  foreign: number;
  usersAffected: number;
  /** Smallest and largest number of distinct replies one answered message got. */
  repliesPerMessage: { min: number; max: number };
  /** A few examples of problems, for the report. */
  examples: string[];
}

/**
 * @param replies replies in arrival order
 * @param runId the run whose messages are checked (others count as foreign)
 * @param users user numbers `userOffset … userOffset + users - 1`, each sent messages `0 … messages - 1`
 */
export function checkOrder(replies: ReplyRecord[], runId: string, userOffset: number, users: number, messages: number): OrderVerdict {
  const v: OrderVerdict = { expected: users * messages, answered: 0, lost: 0, duplicated: 0, outOfOrder: 0, misrouted: 0, foreign: 0, usersAffected: 0, repliesPerMessage: { min: Infinity, max: 0 }, examples: [] };
  const bodies = new Map<string, Map<string, number>>(); // cb → body → copies
  const maxSeen = new Map<number, number>(); // user → highest message index answered so far
  const affected = new Set<number>();
  const problem = (user: number, text: string) => {
    affected.add(user);
    if (v.examples.length < 5) v.examples.push(text);
  };

  for (const r of replies) {
    const id = r.cb === undefined ? undefined : parseWamid(r.cb);
    if (!id || id.runId !== runId || id.user < userOffset || id.user >= userOffset + users || id.n >= messages) {
      v.foreign++;
      continue;
    }
    const cb = r.cb as string;
    if (r.to !== userPhone(id.user)) {
      v.misrouted++;
      problem(id.user, `reply to ${r.to} answers ${cb}`);
    }
    const copies = bodies.get(cb) ?? new Map<string, number>();
    bodies.set(cb, copies);
    const count = (copies.get(r.body) ?? 0) + 1;
    copies.set(r.body, count);
    if (count > 1) {
      v.duplicated++;
      problem(id.user, `reply body for ${cb} arrived ${count} times`);
    }
    const highest = maxSeen.get(id.user) ?? -1;
    if (id.n < highest) {
      v.outOfOrder++;
      problem(id.user, `user ${id.user}: reply for message ${id.n} arrived after a reply for message ${highest}`);
    }
    maxSeen.set(id.user, Math.max(highest, id.n));
  }

  for (let u = userOffset; u < userOffset + users; u++) {
    for (let n = 0; n < messages; n++) {
      const copies = bodies.get(`wamid.bench-${runId}-${u}-${n}`);
      if (!copies) {
        v.lost++;
        problem(u, `user ${u}: message ${n} never answered`);
        continue;
      }
      v.answered++;
      v.repliesPerMessage.min = Math.min(v.repliesPerMessage.min, copies.size);
      v.repliesPerMessage.max = Math.max(v.repliesPerMessage.max, copies.size);
    }
  }
  v.usersAffected = affected.size;
  if (v.answered === 0) v.repliesPerMessage.min = 0;
  return v;
}
