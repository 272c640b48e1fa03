/**
 * Production entry (`npm start`): configuration comes only from the environment; REDIS_URL and
 * MONGODB_URI are required (`MONGODB_URI=memory://` selects the embedded store explicitly).
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
