/**
 * Server-side errors in the shape mongod reports them, so the driver builds the same
 * `MongoServerError` / `MongoBulkWriteError` objects it would against a real server.
 */
import type { Document } from './bson.js';
import { formatValue } from './values.js';

/** The subset of mongod error codes this server emits (names are mongod's `codeName`s). */
export const ERROR_CODES = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  PathNotViable: 28,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  UnsupportedOpQueryCommand: 352,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  Location40218: 40218,
  Location40324: 40324,
  Location40573: 40573,
  Location51246: 51246,
} as const;

/** A mongod `codeName`. */
export type CodeName = keyof typeof ERROR_CODES;

/** A command failure; becomes `{ok: 0, errmsg, code, codeName}` or a `writeErrors` entry. */
export class MongoCommandError extends Error {
  readonly code: number;

  constructor(
    readonly codeName: CodeName,
    message: string,
    /** Extra fields mongod adds to this error (e.g. `keyPattern`, `keyValue`). */
    readonly extra: Document = {},
  ) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = ERROR_CODES[codeName];
  }

  /** Top-level command reply (`ok: 0`). */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** Entry of a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/**
 * The E11000 error exactly as mongod words it:
 * `E11000 duplicate key error collection: db.coll index: name dup key: { field: "value" }`.
 */
export function duplicateKeyError(
  ns: string,
  indexName: string,
  keyPattern: Document,
  keyValue: Document,
): MongoCommandError {
  const shown = Object.entries(keyValue)
    .map(([field, value]) => `${field}: ${formatValue(value)}`)
    .join(', ');
  return new MongoCommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`,
    { keyPattern, keyValue },
  );
}

/** Shorthand for the parse errors mongod raises on malformed command documents. */
export function badValue(message: string): MongoCommandError {
  return new MongoCommandError('BadValue', message);
}

/**
 * Converts anything thrown while running a command into a mongod-style error.
 * mingo throws plain `Error`s for invalid queries/pipelines; mongod reports those as
 * BadValue / FailedToParse / unknown-stage errors, which is what we map them to.
 */
export function toCommandError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const stage = /unregistered pipeline operator (\$\w+)/.exec(message);
  if (stage) return new MongoCommandError('Location40324', `Unrecognized pipeline stage name: '${stage[1]}'`);
  const modifier = /Unknown update operator: '(\$?\w+)'/.exec(message);
  if (modifier) {
    return new MongoCommandError(
      'FailedToParse',
      `Unknown modifier: ${modifier[1]}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  if (/would create a conflict/i.test(message)) {
    return new MongoCommandError('ConflictingUpdateOperators', message.replace(/^u/, 'U'));
  }
  if (/immutable field/i.test(message)) return new MongoCommandError('ImmutableField', message);
  return new MongoCommandError('BadValue', message);
}
