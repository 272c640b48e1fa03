/**
 * A bot reply's 24-hour window comes from the message it answers (Meta's timestamp on it), so the
 * exchange reads no window key from Redis before queueing; the send still checks it (begin-send.lua).
 */
import { describe, expect, it } from 'vitest';
import { es } from '../../bot/messages.es.js';
import { windowKey } from '../../src/conversations/service-window.js';
import { recordCommands } from '../helpers/redis.js';
import { expectMainMenu, talk, useRoad } from './support/bot-transcript.js';

describe("a reply's service window", () => {
  const road = useRoad();

  it('is not read from Redis when the bot answers a message, and the answer goes out', async () => {
    const user = talk(road(), '573600000901', 'Laura');
    const deps = road().deps;
    const key = windowKey(deps.keyPrefix, user.key);
    const sent = await recordCommands(deps.redis, key);

    const [menu] = await user.say('hola');

    expectMainMenu(menu, [es.greeting('Laura')], es.menu.firstQuestion);
    expect(sent.filter((name) => name === 'get')).toEqual([]);
    // Ingress still records the window (Meta's timestamp of the message) for later sends.
    expect(Number(await deps.redis.get(key))).toBeGreaterThan(0);
  });
});
