/**
 * Production entry (`npm start`): configuration comes only from the environment; REDIS_URL and
 * MONGODB_URI are required, secrets must be real (32+ characters, no `.env.example` or `dev-`
 * placeholder), and `MONGODB_URI=memory://` (the embedded store, lost on restart) is refused unless
 * PUENTE_ALLOW_MEMORY_STORE=true, for trials. See docs/operations.md.
 */
import { ConfigError, loadConfig } from '../platform/config/index.js';
import { exitOnSignals, startPuente } from './start.js';

try {
  const config = loadConfig(process.env, { production: true });
  const running = await startPuente(config);
  exitOnSignals(running);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Puente failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
}
