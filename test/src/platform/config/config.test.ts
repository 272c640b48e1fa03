import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../../src/platform/config/schema.js';
import { ConfigError, configWarnings, loadConfig, workerProcessEnv } from '../../../../src/platform/config/index.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** A complete production environment: real-looking secrets (32+ characters), no placeholder. */
const production = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/puente',
  META_WEBHOOK_SECRET: '5f2b8c1e9a7d4036b1e8c2f9a0d7e4b3',
  WEBHOOK_VERIFY_TOKEN: 'Xq9vN2mL7pR4tY8wK3jH6gF1dS5aZ0cB',
  CRM_API_TOKEN: 'crm_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  WHATSAPP_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBA1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  CRM_BASE_URL: 'https://crm.acme-telecom.co/',
  BOT_API_TOKEN: 'bot_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  BOT_SIGNATURE_SECRET: 'sig_f0e1d2c3b4a5968778695a4b3c2d1e0f',
};

describe('loadConfig', () => {
  it('takes API_ADMIN_KEY only when it has at least 32 characters (unset leaves the admin routes off)', () => {
    expect(loadConfig({}).API_ADMIN_KEY).toBeUndefined();
    expect(loadConfig({ API_ADMIN_KEY: 'k'.repeat(32) }).API_ADMIN_KEY).toBe('k'.repeat(32));
    expect(problemsOf(() => loadConfig({ API_ADMIN_KEY: 'too-short' }))).toEqual(['API_ADMIN_KEY: must be at least 32 characters']);
  });

  it('applies the defaults from the design when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      PUENTE_ROLE: 'all',
      WHATSAPP_API_URL: 'https://graph.facebook.com',
      WHATSAPP_MAX_MPS: 80,
      EMERGENCY_PHONE: '3242156679',
      SESSION_TTL_SECONDS: 1800,
      HANDOVER_ASSIGN_TIMEOUT_SECONDS: 600,
      HANDOVER_IDLE_TIMEOUT_SECONDS: 86_400,
      LOG_LEVEL: 'info',
      PUENTE_WORKER_PROCESSES: 0,
      PUENTE_WORKER_NICE: 5,
    });
    expect(config.PUENTE_PARENT_PID).toBeUndefined();
  });

  it('coerces numbers and derives the agent-request URL from CRM_BASE_URL', () => {
    const config = loadConfig({ PORT: '8080', WHATSAPP_MAX_MPS: '20', CRM_BASE_URL: 'https://crm.example.com/' });
    expect(config.PORT).toBe(8080);
    expect(config.WHATSAPP_MAX_MPS).toBe(20);
    expect(config.CRM_AGENT_NOTIFICATION_URL).toBe('https://crm.example.com/api/bot/agent-request');
  });

  it('keeps an explicit CRM_AGENT_NOTIFICATION_URL', () => {
    const config = loadConfig({ CRM_BASE_URL: 'https://crm.example.com', CRM_AGENT_NOTIFICATION_URL: 'https://hooks.example.com/agents' });
    expect(config.CRM_AGENT_NOTIFICATION_URL).toBe('https://hooks.example.com/agents');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', EMERGENCY_PHONE: ' ' }).PORT).toBe(3000);
  });

  it('reports every malformed variable in one error', () => {
    const problems = problemsOf(() =>
      loadConfig({ PORT: 'eighty', PUENTE_ROLE: 'boss', WHATSAPP_MAX_MPS: '0', REDIS_URL: 'http://nope', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud' }),
    );
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'PUENTE_ROLE', 'WHATSAPP_MAX_MPS', 'REDIS_URL', 'MONGODB_URI', 'LOG_LEVEL']));
    expect(problems).toHaveLength(6);
  });

  it('names every missing production variable together with the malformed ones', () => {
    const problems = problemsOf(() => loadConfig({ PORT: 'x' }, { production: true }));
    expect(problems).toEqual(
      expect.arrayContaining(['PORT: Invalid input: expected number, received NaN', 'REDIS_URL: required when PUENTE_ROLE=all', 'MONGODB_URI: required when PUENTE_ROLE=all', 'BOT_SIGNATURE_SECRET: required when PUENTE_ROLE=all']),
    );
  });

  it('requires only what the chosen role uses', () => {
    const problems = problemsOf(() => loadConfig({ PUENTE_ROLE: 'api', REDIS_URL: 'redis://r:6379', MONGODB_URI: 'memory://', PUENTE_ALLOW_MEMORY_STORE: 'true' }, { production: true }));
    expect(problems.sort()).toEqual([
      'CRM_API_TOKEN: required when PUENTE_ROLE=api',
      'META_WEBHOOK_SECRET: required when PUENTE_ROLE=api',
      'WEBHOOK_VERIFY_TOKEN: required when PUENTE_ROLE=api',
    ]);
  });

  it('accepts a complete production environment', () => {
    expect(loadConfig(production, { production: true })).toMatchObject({ MONGODB_URI: production.MONGODB_URI, PUENTE_ALLOW_MEMORY_STORE: false, BULL_BOARD_READ_ONLY: true });
  });

  it('refuses memory:// in production unless PUENTE_ALLOW_MEMORY_STORE=true (a trial)', () => {
    expect(problemsOf(() => loadConfig({ ...production, MONGODB_URI: 'memory://' }, { production: true }))).toEqual([
      'MONGODB_URI: memory:// is the embedded store, whose data is lost on every restart; for a trial set PUENTE_ALLOW_MEMORY_STORE=true',
    ]);
    expect(problemsOf(() => loadConfig({ ...production, MONGODB_URI: 'memory://', PUENTE_ALLOW_MEMORY_STORE: 'false' }, { production: true }))).toHaveLength(1);
    expect(loadConfig({ ...production, MONGODB_URI: 'memory://', PUENTE_ALLOW_MEMORY_STORE: 'true' }, { production: true }).MONGODB_URI).toBe('memory://');
    expect(problemsOf(() => loadConfig({ PUENTE_ALLOW_MEMORY_STORE: 'yes' }))).toEqual(['PUENTE_ALLOW_MEMORY_STORE: must be true or false']);
    // npm run dev and the tests are not production.
    expect(loadConfig({ MONGODB_URI: 'memory://' }).MONGODB_URI).toBe('memory://');
  });

  it('refuses secrets and tokens shorter than 32 characters and a Bull Board password shorter than 16 in production', () => {
    const short = { ...production, META_WEBHOOK_SECRET: 's', WEBHOOK_VERIFY_TOKEN: 'v'.repeat(31), CRM_API_TOKEN: 'c', BOT_API_TOKEN: 'b', BOT_SIGNATURE_SECRET: 'x', WHATSAPP_ACCESS_TOKEN: 'w', BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'p'.repeat(15) };
    expect(problemsOf(() => loadConfig(short, { production: true }))).toEqual([
      'BOT_API_TOKEN: must be at least 32 characters',
      'BOT_SIGNATURE_SECRET: must be at least 32 characters',
      'BULL_BOARD_PASSWORD: must be at least 16 characters',
      'CRM_API_TOKEN: must be at least 32 characters',
      'META_WEBHOOK_SECRET: must be at least 32 characters',
      'WEBHOOK_VERIFY_TOKEN: must be at least 32 characters',
      'WHATSAPP_ACCESS_TOKEN: must be at least 32 characters',
    ]);
    expect(loadConfig({ ...production, BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'p'.repeat(16), WEBHOOK_VERIFY_TOKEN: 'v'.repeat(32) }, { production: true }).BULL_BOARD_PASSWORD).toBe('p'.repeat(16));
    // Outside production (npm run dev, the tests) short values still do.
    expect(loadConfig({ ...short, MONGODB_URI: 'memory://' }).CRM_API_TOKEN).toBe('c');
  });

  it("refuses .env.example's placeholders and npm run dev's values in production", () => {
    const copied = {
      ...production,
      META_WEBHOOK_SECRET: 'replace-with-meta-app-secret-0123456789',
      CRM_API_TOKEN: 'dev-crm-token-0123456789abcdef0123456789',
      WHATSAPP_PHONE_NUMBER_ID: '000000000000000',
      CRM_BASE_URL: 'https://crm.example.com',
    };
    expect(problemsOf(() => loadConfig(copied, { production: true }))).toEqual([
      'CRM_API_TOKEN: is a placeholder (from .env.example or npm run dev); set the real value',
      'CRM_BASE_URL: is a placeholder (from .env.example or npm run dev); set the real value',
      'META_WEBHOOK_SECRET: is a placeholder (from .env.example or npm run dev); set the real value',
      'WHATSAPP_PHONE_NUMBER_ID: is a placeholder (from .env.example or npm run dev); set the real value',
    ]);
    // Reported with the length when both apply: `.env.example`'s own values as they are.
    expect(problemsOf(() => loadConfig({ ...production, BOT_API_TOKEN: 'replace-with-bot-api-token' }, { production: true }))).toEqual([
      'BOT_API_TOKEN: is a placeholder (from .env.example or npm run dev); set the real value',
      'BOT_API_TOKEN: must be at least 32 characters',
    ]);
  });

  it('refuses a Bull Board user without a password in production', () => {
    expect(problemsOf(() => loadConfig({ ...production, BULL_BOARD_USER: 'ops' }, { production: true }))).toEqual([
      'BULL_BOARD_PASSWORD: required when BULL_BOARD_USER is set',
    ]);
  });

  it('accepts 0–32 worker processes and nice values 0–19', () => {
    expect(loadConfig({ PUENTE_WORKER_PROCESSES: '32', PUENTE_WORKER_NICE: '19' })).toMatchObject({ PUENTE_WORKER_PROCESSES: 32, PUENTE_WORKER_NICE: 19 });
    expect(loadConfig({ PUENTE_WORKER_PROCESSES: '0', PUENTE_WORKER_NICE: '0' })).toMatchObject({ PUENTE_WORKER_PROCESSES: 0, PUENTE_WORKER_NICE: 0 });
    for (const bad of [{ PUENTE_WORKER_PROCESSES: '33' }, { PUENTE_WORKER_PROCESSES: '-1' }, { PUENTE_WORKER_PROCESSES: '1.5' }, { PUENTE_WORKER_PROCESSES: 'two' }]) {
      expect(problemsOf(() => loadConfig(bad)).map((p) => p.split(':')[0])).toEqual(['PUENTE_WORKER_PROCESSES']);
    }
    for (const bad of [{ PUENTE_WORKER_NICE: '20' }, { PUENTE_WORKER_NICE: '-1' }]) {
      expect(problemsOf(() => loadConfig(bad)).map((p) => p.split(':')[0])).toEqual(['PUENTE_WORKER_NICE']);
    }
    // One background worker process at nice 10 by default; tiers by name only.
    expect(loadConfig({})).toMatchObject({ PUENTE_BACKGROUND_WORKER_PROCESSES: 1, PUENTE_BACKGROUND_WORKER_NICE: 10, PUENTE_BACKGROUND_WORKER_IDLE: true, PUENTE_WORKER_TIER: 'all' });
    expect(loadConfig({ PUENTE_BACKGROUND_WORKER_IDLE: 'false' })).toMatchObject({ PUENTE_BACKGROUND_WORKER_IDLE: false });
    expect(loadConfig({ PUENTE_BACKGROUND_WORKER_PROCESSES: '0', PUENTE_WORKER_TIER: 'background' })).toMatchObject({ PUENTE_BACKGROUND_WORKER_PROCESSES: 0, PUENTE_WORKER_TIER: 'background' });
    for (const [bad, name] of [[{ PUENTE_BACKGROUND_WORKER_PROCESSES: '9' }, 'PUENTE_BACKGROUND_WORKER_PROCESSES'], [{ PUENTE_BACKGROUND_WORKER_NICE: '20' }, 'PUENTE_BACKGROUND_WORKER_NICE'], [{ PUENTE_BACKGROUND_WORKER_IDLE: 'yes' }, 'PUENTE_BACKGROUND_WORKER_IDLE'], [{ PUENTE_WORKER_TIER: 'campaigns' }, 'PUENTE_WORKER_TIER']] as const) {
      expect(problemsOf(() => loadConfig(bad)).map((p) => p.split(':')[0])).toEqual([name]);
    }
  });

  it('refuses forked worker processes with the in-process embedded store (memory://)', () => {
    expect(problemsOf(() => loadConfig({ ...production, MONGODB_URI: 'memory://', PUENTE_ALLOW_MEMORY_STORE: 'true', PUENTE_WORKER_PROCESSES: '2' }, { production: true }))).toEqual([
      'PUENTE_WORKER_PROCESSES: must be 0 when MONGODB_URI=memory:// (the embedded store cannot be shared with forked worker processes)',
    ]);
    // Reported together with other problems, and outside production too (npm run dev defaults to memory://).
    expect(problemsOf(() => loadConfig({ MONGODB_URI: 'memory://', PUENTE_WORKER_PROCESSES: '1', PORT: 'x' })).map((p) => p.split(':')[0])).toEqual(['PORT', 'PUENTE_WORKER_PROCESSES']);
    expect(loadConfig({ ...production, PUENTE_WORKER_PROCESSES: '2' }, { production: true }).PUENTE_WORKER_PROCESSES).toBe(2);
    expect(loadConfig({ MONGODB_URI: 'memory://', PUENTE_WORKER_PROCESSES: '0' }).MONGODB_URI).toBe('memory://');
  });

  it('ignores PUENTE_WORKER_PROCESSES for the api and worker roles, memory:// included', () => {
    for (const role of ['api', 'worker']) {
      expect(loadConfig({ PUENTE_ROLE: role, MONGODB_URI: 'memory://', PUENTE_WORKER_PROCESSES: '4' }).PUENTE_WORKER_PROCESSES).toBe(4);
    }
  });

  it('serves the ops listener on 127.0.0.1:9091 by default, Bull Board read-only, requests cut off after 30 s', () => {
    expect(loadConfig({})).toMatchObject({ OPS_PORT: 9091, OPS_HOST: '127.0.0.1', BULL_BOARD_READ_ONLY: true, HTTP_REQUEST_TIMEOUT_SECONDS: 30 });
    expect(loadConfig({ OPS_PORT: '9100', OPS_HOST: '0.0.0.0', BULL_BOARD_READ_ONLY: 'false' })).toMatchObject({ OPS_PORT: 9100, OPS_HOST: '0.0.0.0', BULL_BOARD_READ_ONLY: false });
    expect(problemsOf(() => loadConfig({ OPS_PORT: '70000', BULL_BOARD_READ_ONLY: 'no', HTTP_REQUEST_TIMEOUT_SECONDS: '0' })).map((p) => p.split(':')[0])).toEqual(['BULL_BOARD_READ_ONLY', 'HTTP_REQUEST_TIMEOUT_SECONDS', 'OPS_PORT']);
  });

  it('builds the environment of a forked worker process from its own', () => {
    const config = loadConfig({ ...production, PUENTE_WORKER_PROCESSES: '3' });
    const env = workerProcessEnv(config, 4242);
    expect(env).toMatchObject({ PUENTE_ROLE: 'worker', PUENTE_WORKER_PROCESSES: '0', PUENTE_PARENT_PID: '4242', REDIS_URL: production.REDIS_URL, MONGODB_URI: production.MONGODB_URI });
    expect(env.PATH).toBe(process.env.PATH);
    expect(loadConfig(env)).toMatchObject({ PUENTE_ROLE: 'worker', PUENTE_WORKER_PROCESSES: 0, PUENTE_PARENT_PID: 4242 });
    expect(loadConfig(workerProcessEnv(config, 4242, 'background'))).toMatchObject({ PUENTE_ROLE: 'worker', PUENTE_WORKER_TIER: 'background' });
  });
});

describe('configWarnings', () => {
  it('warns about plain http to a public host, once per host', () => {
    expect(configWarnings(loadConfig({ CRM_BASE_URL: 'http://crm.acme-telecom.co', WHATSAPP_API_URL: 'http://203.0.113.7:8080' }))).toEqual([
      "WHATSAPP_API_URL: plain http to the public host 203.0.113.7; tokens and users' messages would travel unencrypted (use https)",
      "CRM_BASE_URL, CRM_AGENT_NOTIFICATION_URL: plain http to the public host crm.acme-telecom.co; tokens and users' messages would travel unencrypted (use https)",
    ]);
  });

  it('says nothing about https, loopback, private addresses or names inside the network', () => {
    for (const url of ['https://crm.acme-telecom.co', 'http://127.0.0.1:4000', 'http://localhost:4000', 'http://10.1.2.3', 'http://172.20.0.5', 'http://192.168.1.10', 'http://[::1]:4000', 'http://crm:8080', 'http://crm.default.svc.cluster.local', 'http://crm.internal']) {
      expect(configWarnings(loadConfig({ CRM_BASE_URL: url })), url).toEqual([]);
    }
    expect(configWarnings(loadConfig({}))).toEqual([]);
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
  const values = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

  it('documents every variable Puente reads (PUENTE_PARENT_PID is set by Puente itself)', () => {
    const documented = new Set([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    for (const name of Object.keys(envSchema.shape).filter((n) => n !== 'PUENTE_PARENT_PID')) expect(documented, name).toContain(name);
  });

  it('does not start production as it is: its placeholders are refused', () => {
    const problems = problemsOf(() => loadConfig(values, { production: true }));
    for (const name of ['META_WEBHOOK_SECRET', 'WEBHOOK_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'CRM_BASE_URL', 'CRM_API_TOKEN', 'BOT_API_TOKEN', 'BOT_SIGNATURE_SECRET']) {
      expect(problems, name).toContain(`${name}: is a placeholder (from .env.example or npm run dev); set the real value`);
    }
    // Its defaults are the schema's.
    expect(loadConfig(values)).toMatchObject({ OPS_PORT: 9091, OPS_HOST: '127.0.0.1', BULL_BOARD_READ_ONLY: true, PUENTE_ALLOW_MEMORY_STORE: false, HTTP_REQUEST_TIMEOUT_SECONDS: 30 });
  });
});
