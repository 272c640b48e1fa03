import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineScript, readLua, reply, ScriptReplyError } from '../../../../src/platform/redis/script.js';
import { TEST_REDIS_URL, deleteKeys } from '../../../helpers/redis.js';

describe('Lua scripts in their own files (defineScript)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puente-lua-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return new URL(name, pathToFileURL(`${dir}/`));
  };
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('splices a shared fragment where a script says --#include, keeping one source for it', () => {
    file('tail.lua', "return {'done', ARGV[1]}\n");
    const main = file('main.lua', "redis.call('INCR', KEYS[1])\n--#include ./tail.lua\n");
    expect(readLua(main)).toBe("redis.call('INCR', KEYS[1])\nreturn {'done', ARGV[1]}\n");
  });

  it('runs a script Redis has never seen (EVALSHA answers NOSCRIPT, so it is sent once with EVAL) and returns the parsed reply', async () => {
    // A fresh comment gives the script a SHA no Redis has cached.
    const counter = defineScript(file('count.lua', `-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])\n`), reply.integer);
    expect(await counter.run(redis, [`${prefix}:n`], [2])).toBe(2);
    expect(await counter.run(redis, [`${prefix}:n`], [3])).toBe(5);
    expect(await redis.script('EXISTS', counter.sha)).toEqual([1]);
  });

  it('loads a script for a pipeline and parses each queued reply', async () => {
    const echo = defineScript(file('echo.lua', `-- ${randomUUID()}\nreturn ARGV[1]\n`), reply.oneOf('sent', 'busy'));
    await echo.load(redis);
    const results = await redis.pipeline().evalsha(echo.sha, 0, 'sent').evalsha(echo.sha, 0, 'busy').exec();
    expect(results?.map(([, raw]) => echo.parse(raw))).toEqual(['sent', 'busy']);
  });

  it('fails loudly, naming the script, when a reply is not the shape its caller expects', async () => {
    const wrong = defineScript(file('wrong.lua', "return 'not a number'\n"), reply.integer);
    const err = await wrong.run(redis, [], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptReplyError);
    expect((err as ScriptReplyError).message).toBe('unexpected reply from wrong.lua: "not a number"');
  });

  it('reads the file on first use, not when the script is defined', () => {
    const missing = defineScript(new URL('does-not-exist.lua', pathToFileURL(`${dir}/`)), reply.string);
    expect(() => missing.sha).toThrow(/ENOENT/);
  });
});
