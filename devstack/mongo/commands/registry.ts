/**
 * Command dispatch. Generic fields (`$db`, `lsid`, `$clusterTime`, `readConcern`, `writeConcern`,
 * `comment`, `maxTimeMS`, `apiVersion`, …) are ignored by the handlers; transaction fields are
 * refused the way a standalone mongod refuses them.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, toCommandError } from '../errors.js';
import { adminCommands } from './admin.js';
import { aggregateCommands } from './aggregate.js';
import { catalogCommands } from './catalog.js';
import { explainCommands } from './explain.js';
import type { CommandContext, CommandTable } from './context.js';
import { findAndModifyCommands } from './find-and-modify.js';
import { indexCommands } from './index-commands.js';
import { readCommands } from './read.js';
import { writeCommands } from './write.js';

const COMMANDS: CommandTable = {
  ...adminCommands,
  ...readCommands,
  ...writeCommands,
  ...findAndModifyCommands,
  ...aggregateCommands,
  ...catalogCommands,
  ...indexCommands,
  ...explainCommands,
};

/** Fields whose presence means "this is part of a transaction" (or a retryable write). */
const TRANSACTION_FIELDS = ['txnNumber', 'startTransaction', 'autocommit'];

/**
 * Runs one command document and returns its reply. Never throws: every failure becomes an
 * `{ok: 0, errmsg, code, codeName}` reply so the connection always stays usable.
 */
export function runCommand(cmd: Document, db: string, ctx: CommandContext): Document {
  const name = Object.keys(cmd)[0] ?? '';
  const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!handler) return new MongoCommandError('CommandNotFound', `no such command: '${name}'`).toReply();
  if (TRANSACTION_FIELDS.some((field) => field in cmd)) {
    return new MongoCommandError(
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos',
    ).toReply();
  }
  try {
    return handler(cmd, db, ctx);
  } catch (err) {
    return toCommandError(err).toReply();
  }
}
