import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * A Lua script kept in its own `.lua` file, run with EVALSHA (loading it with EVAL on NOSCRIPT:
 * first use, or after a Redis restart). Its reply goes through a parser, so callers get a typed
 * value and a script out of step with its caller fails loudly instead of being misread.
 */
export interface RedisScript<T> {
  run(redis: Redis, keys: string[], args: (string | number)[]): Promise<T>;
  /** For a pipeline/multi: queue `evalsha` with this after `load`, and pass each reply to `parse`. */
  readonly sha: string;
  load(redis: Redis): Promise<void>;
  parse(raw: unknown): T;
}

/** A script answered something its parser does not accept. */
export class ScriptReplyError extends Error {
  constructor(
    readonly script: string,
    readonly reply: unknown,
    options?: ErrorOptions,
  ) {
    super(`unexpected reply from ${script}: ${JSON.stringify(reply)}`, options);
    this.name = 'ScriptReplyError';
  }
}

/**
 * Reads a Lua file, replacing each line `--#include <file>` by that file (resolved next to the
 * including one): a fragment shared by several scripts keeps a single source.
 */
export function readLua(file: URL): string {
  return readFileSync(file, 'utf8').replace(/^--#include (\S+)[ \t]*$/gm, (_line, name: string) => readLua(new URL(name, file)).trimEnd());
}

/**
 * Defines the script in `file` (next to its caller: `new URL('./x.lua', import.meta.url)`; the
 * build copies `.lua` files into dist). The file is read on first use, not at import.
 * `parse` shapes the raw reply and throws on anything else.
 */
export function defineScript<T>(file: URL, parse: (raw: unknown) => T): RedisScript<T> {
  const name = basename(fileURLToPath(file));
  let lua: string | undefined;
  let sha: string | undefined;
  const text = () => (lua ??= readLua(file));
  const digest = () => (sha ??= createHash('sha1').update(text()).digest('hex'));
  const shape = (raw: unknown): T => {
    try {
      return parse(raw);
    } catch (err) {
      throw new ScriptReplyError(name, raw, { cause: err });
    }
  };
  return {
    get sha() {
      return digest();
    },
    async load(redis) {
      await redis.script('LOAD', text());
    },
    parse: shape,
    async run(redis, keys, args) {
      let raw: unknown;
      try {
        raw = await redis.evalsha(digest(), keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
        raw = await redis.eval(text(), keys.length, ...keys, ...args);
      }
      return shape(raw);
    },
  };
}

/** Reply shapes shared by the scripts' parsers; each throws on anything else. */
export const reply = {
  integer(raw: unknown): number {
    if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new TypeError('expected an integer');
    return raw;
  },
  string(raw: unknown): string {
    if (typeof raw !== 'string') throw new TypeError('expected a string');
    return raw;
  },
  oneOf<const V extends string>(...values: V[]): (raw: unknown) => V {
    return (raw) => {
      if (typeof raw !== 'string' || !(values as string[]).includes(raw)) throw new TypeError(`expected one of ${values.join(', ')}`);
      return raw as V;
    };
  },
  array(raw: unknown): unknown[] {
    if (!Array.isArray(raw)) throw new TypeError('expected an array');
    return raw;
  },
};
