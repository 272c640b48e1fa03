/**
 * Standalone embedded MongoDB: `npm run mongo:embedded -- --port 27017 [--host H] [--data FILE] [--ttl-sweep-ms N]`.
 * Prints one line with the URI and stops cleanly (snapshot written if --data) on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    'ttl-sweep-ms': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`embedded-mongo: invalid --port ${values.port}`);
  process.exit(2);
}
const ttl = values['ttl-sweep-ms'];

const mongo = await startEmbeddedMongo({
  port,
  host: values.host,
  dataFile: values.data,
  ttlSweepMs: ttl === undefined ? undefined : Number(ttl),
});
console.log(`embedded-mongo listening on ${mongo.uri}${values.data ? ` (data file ${values.data})` : ''}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    mongo.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('embedded-mongo: failed to stop cleanly', err);
        process.exit(1);
      },
    );
  });
}
