/**
 * Handshake and diagnostic commands. The server presents itself as a standalone mongod 7.0.
 * `topologyVersion` is deliberately absent from `hello`: with it the driver's monitor switches to
 * streaming (awaitable) hello, which this server does not implement, and would hang.
 */
import { MongoCommandError } from '../errors.js';
import type { CommandContext, CommandTable } from './context.js';

/** Version this server claims; wire version 21 is what mongod 7.0 reports (driver 7 needs ≥ 9). */
export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;
/** Limits mongod advertises and the driver sizes its batches against. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;

function hello(ctx: CommandContext, legacy: boolean) {
  return {
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    // Advertising sessions lets the driver use implicit sessions and explicit ones (as on mongod).
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

/** Handshake, liveness, build and session bookkeeping commands. */
export const adminCommands: CommandTable = {
  hello: (_cmd, _db, ctx) => hello(ctx, false),
  isMaster: (_cmd, _db, ctx) => hello(ctx, true),
  ismaster: (_cmd, _db, ctx) => hello(ctx, true),
  ping: () => ({ ok: 1 }),
  buildInfo: () => ({
    version: SERVER_VERSION,
    gitVersion: 'puente-embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['memory'],
    modules: [],
    javascriptEngine: 'none',
    // Lets tests tell this server from a real mongod without relying on the environment.
    puenteEmbedded: true,
    ok: 1,
  }),
  getParameter: (cmd) => {
    const all = { featureCompatibilityVersion: { version: '7.0' }, authenticationMechanisms: [], quiet: false };
    if (cmd.getParameter === '*') return { ...all, ok: 1 };
    const picked = Object.fromEntries(Object.entries(all).filter(([k]) => k in cmd));
    if (Object.keys(picked).length === 0) throw new MongoCommandError('InvalidOptions', 'no option found to get');
    return { ...picked, ok: 1 };
  },
  serverStatus: (_cmd, _db, ctx) => ({
    host: ctx.stats.host(),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor((Date.now() - ctx.stats.startedAt) / 1000),
    uptimeMillis: Date.now() - ctx.stats.startedAt,
    localTime: new Date(),
    connections: { current: ctx.stats.currentConnections(), available: 10_000, totalCreated: ctx.stats.totalConnections() },
    metrics: { cursor: { open: { total: ctx.cursors.size } } },
    ok: 1,
  }),
  hostInfo: (_cmd, _db, ctx) => ({ system: { hostname: ctx.stats.host(), currentTime: new Date() }, os: { type: process.platform }, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: (_cmd, _db, ctx) => ({ you: `${ctx.stats.host()}`, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['puente-embedded-mongo'], parsed: {}, ok: 1 }),
  // Sessions carry no server state here, so these are acknowledgements only.
  endSessions: () => ({ ok: 1 }),
  killSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  killAllSessionsByPattern: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  // No users exist; mongod without that user answers exactly this.
  saslStart: () => {
    throw new MongoCommandError('AuthenticationFailed', 'Authentication failed.');
  },
  authenticate: () => {
    throw new MongoCommandError('AuthenticationFailed', 'Authentication failed.');
  },
  logout: () => ({ ok: 1 }),
};
