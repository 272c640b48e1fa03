import type { Redis } from 'ioredis';
import type { LaneProtocol } from './protocol.js';
import type { Mailbox, MailboxItem } from './types.js';

/** Read-only views for operators and tests: a lane's backlog and the newest dead letters. */
export function mailboxOps<T extends MailboxItem>(redis: Redis, lanes: LaneProtocol): Pick<Mailbox<T>, 'depth' | 'deadLetters' | 'deadLetterCount'> {
  return {
    depth: (lane) => redis.llen(lanes.keys.list(lane)),
    deadLetterCount: () => redis.llen(lanes.keys.dead),
    async deadLetters(limit = 100) {
      return (await redis.lrange(lanes.keys.dead, 0, limit - 1)).map((raw) => JSON.parse(raw));
    },
  };
}
