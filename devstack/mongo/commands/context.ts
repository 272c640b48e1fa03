/** Types and argument helpers shared by all command handlers. */
import type { Document } from '../bson.js';
import type { CursorManager } from '../cursors.js';
import { badValue } from '../errors.js';
import type { Store } from '../store.js';
import { isPlainObject } from '../values.js';

/** Live server facts some admin commands report. */
export interface ServerStats {
  readonly startedAt: number;
  host(): string;
  currentConnections(): number;
  totalConnections(): number;
}

/** Everything a command handler may touch. Handlers are synchronous: one command runs at a time. */
export interface CommandContext {
  readonly store: Store;
  readonly cursors: CursorManager;
  readonly connectionId: number;
  readonly stats: ServerStats;
}

/** A command implementation: `(command document, database, context) → reply`. */
export type CommandHandler = (cmd: Document, db: string, ctx: CommandContext) => Document;

export type CommandTable = Record<string, CommandHandler>;

/** The collection name a command names in its first field (e.g. `{find: "users"}`). */
export function collectionName(cmd: Document, command: string): string {
  const value: unknown = cmd[command];
  if (typeof value !== 'string' || value.length === 0) {
    throw badValue(`collection name has invalid type ${typeof value}`);
  }
  return value;
}

/** A required array argument (e.g. `documents`, `updates`, `deletes`). */
export function arrayArg(cmd: Document, field: string): unknown[] {
  const value: unknown = cmd[field];
  if (!Array.isArray(value)) throw badValue(`BSON field '${field}' is missing or not an array`);
  return value;
}

/** An optional sub-document argument. */
export function docArg(cmd: Document, field: string): Document | undefined {
  const value: unknown = cmd[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw badValue(`BSON field '${field}' is the wrong type, expected type 'object'`);
  return value;
}
