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

/** Shared secrets: `npm start` wants each at least {@link MIN_SECRET_LENGTH} characters long and not a placeholder. */
export const SECRET_VARIABLES = ['META_WEBHOOK_SECRET', 'WEBHOOK_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN', 'CRM_API_TOKEN', 'BOT_API_TOKEN', 'BOT_SIGNATURE_SECRET', 'API_ADMIN_KEY'] as const;
export const MIN_SECRET_LENGTH = 32;
export const MIN_BULL_BOARD_PASSWORD_LENGTH = 16;

/**
 * A value copied from `.env.example` (`replace-with-…`, the all-zero phone number id, an
 * `example.com` URL) or one of `npm run dev`'s own (`dev-…`): fine on a laptop, never in production.
 */
function isPlaceholder(name: string, value: string): boolean {
  if (/^(replace-with-|dev-)/i.test(value)) return true;
  if (name === 'WHATSAPP_PHONE_NUMBER_ID') return /^0+$/.test(value);
  if (name.endsWith('_URL')) {
    try {
      return /(^|\.)example\.(com|org|net)$/i.test(new URL(value).hostname);
    } catch {
      return false; // malformed: the schema reports it
    }
  }
  return false;
}

/** The production-only checks on values: placeholders, short secrets, the embedded store. */
function productionValueProblems(raw: Source): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined && (name in envSchema.shape) && isPlaceholder(name, value)) {
      problems.push(`${name}: is a placeholder (from .env.example or npm run dev); set the real value`);
    }
  }
  for (const name of SECRET_VARIABLES) {
    const value = raw[name];
    if (value !== undefined && value.length < MIN_SECRET_LENGTH) problems.push(`${name}: must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (raw.BULL_BOARD_PASSWORD !== undefined && raw.BULL_BOARD_PASSWORD.length < MIN_BULL_BOARD_PASSWORD_LENGTH) {
    problems.push(`BULL_BOARD_PASSWORD: must be at least ${MIN_BULL_BOARD_PASSWORD_LENGTH} characters`);
  }
  if (raw.MONGODB_URI === 'memory://' && raw.PUENTE_ALLOW_MEMORY_STORE !== 'true') {
    problems.push('MONGODB_URI: memory:// is the embedded store, whose data is lost on every restart; for a trial set PUENTE_ALLOW_MEMORY_STORE=true');
  }
  return problems;
}

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
    problems.push(...productionValueProblems(raw));
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

/** `localhost`, a loopback, private or link-local address, or a name that only resolves inside a network. */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.includes(':')) return host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  // A single label (a Docker service name) or an internal suffix resolves only inside the network.
  return !host.includes('.') || /\.(localhost|local|internal|lan|home\.arpa|cluster\.local|svc)$/.test(host);
}

/** The outside services Puente sends tokens and user data to. */
const OUTBOUND_URLS = ['WHATSAPP_API_URL', 'CRM_BASE_URL', 'CRM_AGENT_NOTIFICATION_URL'] as const;

/**
 * Things worth a warning at start-up but not a refusal: an outside service reached over plain http
 * on a public host (bearer tokens and users' messages would cross the internet unencrypted).
 */
export function configWarnings(config: Config): string[] {
  const byHost = new Map<string, string[]>();
  for (const name of OUTBOUND_URLS) {
    const value = config[name];
    if (!value) continue;
    const url = new URL(value);
    if (url.protocol === 'http:' && !isPrivateHost(url.hostname)) byHost.set(url.hostname, [...(byHost.get(url.hostname) ?? []), name]);
  }
  return [...byHost].map(([host, names]) => `${names.join(', ')}: plain http to the public host ${host}; tokens and users' messages would travel unencrypted (use https)`);
}

/**
 * The environment of a worker process forked by a `PUENTE_ROLE=all` process when
 * PUENTE_WORKER_PROCESSES > 0: this process's own environment (the child loads its configuration
 * from it like any entry point), switched to the worker role, with the Redis and MongoDB this
 * process resolved (so `npm run dev` children use the same ones), the queues it runs (`tier`) and
 * the parent's pid.
 */
export function workerProcessEnv(config: Config, parentPid: number = process.pid, tier: Env['PUENTE_WORKER_TIER'] = 'all'): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(config.REDIS_URL ? { REDIS_URL: config.REDIS_URL } : {}),
    ...(config.MONGODB_URI ? { MONGODB_URI: config.MONGODB_URI } : {}),
    PUENTE_ROLE: 'worker',
    PUENTE_WORKER_PROCESSES: '0',
    PUENTE_WORKER_TIER: tier,
    PUENTE_PARENT_PID: String(parentPid),
  };
}
