import { envSchema, type Env } from './schema.js';

export type Role = Env['PUENTE_ROLE'];

/** Parsed, validated configuration. Built once by an entry point and passed down; never read from process.env elsewhere. */
export interface Config extends Env {
  /** The agent-request URL with its default (`${CRM_BASE_URL}/api/bot/agent-request`) resolved. */
  CRM_AGENT_NOTIFICATION_URL: string | undefined;
}

/** Thrown when the environment is invalid; `problems` names every bad variable at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/** Empty strings count as unset, as in most .env tooling (`FOO=` leaves FOO unset). */
function withoutEmpty(source: Source): Source {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

/** Variables a production process cannot run without, by role. `npm run dev` fills the infrastructure ones itself. */
const requiredInProduction: Record<Role, (keyof Env)[]> = {
  api: ['REDIS_URL', 'MONGODB_URI', 'META_WEBHOOK_SECRET', 'WEBHOOK_VERIFY_TOKEN', 'CRM_API_TOKEN'],
  worker: ['REDIS_URL', 'MONGODB_URI', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'CRM_BASE_URL', 'BOT_API_TOKEN', 'BOT_SIGNATURE_SECRET'],
  all: [],
};
requiredInProduction.all = [...new Set([...requiredInProduction.api, ...requiredInProduction.worker])];

export interface LoadConfigOptions {
  /** Enforce the production requirements for the chosen role (what `npm start` does). */
  production?: boolean;
}

/**
 * Parses the environment into a {@link Config}. Reports every problem in one error.
 * @example loadConfig(process.env, { production: true })
 */
export function loadConfig(source: Source, options: LoadConfigOptions = {}): Config {
  const raw = withoutEmpty(source);
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  if (options.production) {
    // Checked on the raw values so a missing variable is reported together with malformed ones.
    const role: Role = parsed.success ? parsed.data.PUENTE_ROLE : 'all';
    for (const name of requiredInProduction[role]) {
      if (raw[name] === undefined) problems.push(`${name}: required when PUENTE_ROLE=${role}`);
    }
    if (raw.BULL_BOARD_USER !== undefined && raw.BULL_BOARD_PASSWORD === undefined) {
      problems.push('BULL_BOARD_PASSWORD: required when BULL_BOARD_USER is set');
    }
  }
  // The embedded store lives inside one process; worker processes forked by `all` could not reach it.
  if ((raw.PUENTE_ROLE ?? 'all') === 'all' && Number(raw.PUENTE_WORKER_PROCESSES ?? 0) > 0 && raw.MONGODB_URI === 'memory://') {
    problems.push('PUENTE_WORKER_PROCESSES: must be 0 when MONGODB_URI=memory:// (the embedded store cannot be shared with forked worker processes)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems.sort());
  const env = parsed.data;
  return {
    ...env,
    CRM_AGENT_NOTIFICATION_URL:
      env.CRM_AGENT_NOTIFICATION_URL ?? (env.CRM_BASE_URL ? `${env.CRM_BASE_URL.replace(/\/$/, '')}/api/bot/agent-request` : undefined),
  };
}

/**
 * The environment of a worker process forked by a `PUENTE_ROLE=all` process when
 * PUENTE_WORKER_PROCESSES > 0: this process's own environment (the child loads its configuration
 * from it like any entry point), switched to the worker role, with the Redis and MongoDB this
 * process resolved (so `npm run dev` children use the same ones) and the parent's pid.
 */
export function workerProcessEnv(config: Config, parentPid: number = process.pid): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(config.REDIS_URL ? { REDIS_URL: config.REDIS_URL } : {}),
    ...(config.MONGODB_URI ? { MONGODB_URI: config.MONGODB_URI } : {}),
    PUENTE_ROLE: 'worker',
    PUENTE_WORKER_PROCESSES: '0',
    PUENTE_PARENT_PID: String(parentPid),
  };
}
