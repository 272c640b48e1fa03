import type { Redis } from 'ioredis';
import type { HandlerContext } from '../../../queues/mailbox.js';
import { defineScript, reply } from '../../platform/redis/script.js';
import { SERVICE_WINDOW_SECONDS, windowKey } from '../service-window.js';
import { isFreeForm, type OutboundItem } from './types.js';

/**
 * How long a send in progress keeps its claim: the Graph client's timeout plus a margin. A worker
 * that died mid-send releases the message to the next one after this.
 */
const IN_FLIGHT_MS = 20_000;

/** How long a send accepted by Graph is remembered, so a re-processed item is not sent again. */
const SENT_TTL_SECONDS = 86_400;

/** What a send may do (see begin-send.lua): go, or not because it was sent already, its window closed, or another run holds it. */
export type SendVerdict = 'sent' | 'closed' | 'busy' | 'go';

const beginSendScript = defineScript(new URL('./begin-send.lua', import.meta.url), reply.oneOf<SendVerdict>('sent', 'closed', 'busy', 'go'));
const endSendScript = defineScript(new URL('./end-send.lua', import.meta.url), (raw): void => {
  if (reply.integer(raw) !== 1) throw new TypeError('expected 1');
});

export type SendClaims = ReturnType<typeof createSendClaims>;

/** The Redis bookkeeping that makes a send at most once per item, whatever happens to the worker sending it. */
export function createSendClaims(redis: Redis, keyPrefix: string) {
  const keys = (item: OutboundItem) => ({ sent: `${keyPrefix}:out:sent:${item.id}`, inFlight: `${keyPrefix}:out:inflight:${item.id}` });
  return {
    begin(item: OutboundItem, ctx: HandlerContext): Promise<SendVerdict> {
      const { sent, inFlight } = keys(item);
      return beginSendScript.run(
        redis,
        [sent, windowKey(keyPrefix, ctx.lane), inFlight],
        [ctx.claim, IN_FLIGHT_MS, isFreeForm(item) ? 1 : 0, Math.floor(Date.now() / 1000), SERVICE_WINDOW_SECONDS],
      );
    },
    /**
     * At-most-once sends (campaign steps): true the first time an item is about to reach Graph,
     * false when an earlier attempt got that far and neither ended with Meta's answer nor was
     * cleared — a worker killed mid-request, or a timeout: Meta may have accepted it.
     */
    async firstAttempt(item: OutboundItem): Promise<boolean> {
      return (await redis.set(`${keyPrefix}:out:tried:${item.id}`, '1', 'EX', SENT_TTL_SECONDS, 'NX')) === 'OK';
    },
    /** The attempt certainly did not reach Meta, or Meta refused it: another may go. */
    async clearAttempt(item: OutboundItem): Promise<void> {
      await redis.del(`${keyPrefix}:out:tried:${item.id}`);
    },
    /** `wamid` is '' when Graph did not accept the message. */
    end(item: OutboundItem, ctx: HandlerContext, wamid: string): Promise<void> {
      const { sent, inFlight } = keys(item);
      return endSendScript.run(redis, [sent, inFlight], [ctx.claim, wamid, SENT_TTL_SECONDS]);
    },
  };
}
