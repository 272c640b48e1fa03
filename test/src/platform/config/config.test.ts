import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, workerProcessEnv } from '../../../../src/platform/config/index.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const production = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  MONGODB_URI: 'mongodb://127.0.0.1:27017/puente',
  META_WEBHOOK_SECRET: 's',
  WEBHOOK_VERIFY_TOKEN: 'v',
  CRM_API_TOKEN: 'c',
  WHATSAPP_ACCESS_TOKEN: 'w',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  CRM_BASE_URL: 'https://crm.example.com/',
  BOT_API_TOKEN: 'b',
  BOT_SIGNATURE_SECRET: 'x',
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
    const problems = problemsOf(() => loadConfig({ PUENTE_ROLE: 'api', REDIS_URL: 'redis://r:6379', MONGODB_URI: 'memory://' }, { production: true }));
    expect(problems.sort()).toEqual([
      'CRM_API_TOKEN: required when PUENTE_ROLE=api',
      'META_WEBHOOK_SECRET: required when PUENTE_ROLE=api',
      'WEBHOOK_VERIFY_TOKEN: required when PUENTE_ROLE=api',
    ]);
  });

  it('accepts a complete production environment, including memory:// for the embedded store', () => {
    expect(loadConfig({ ...production, MONGODB_URI: 'memory://' }, { production: true }).MONGODB_URI).toBe('memory://');
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
  });

  it('refuses forked worker processes with the in-process embedded store (memory://)', () => {
    expect(problemsOf(() => loadConfig({ ...production, MONGODB_URI: 'memory://', PUENTE_WORKER_PROCESSES: '2' }, { production: true }))).toEqual([
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

  it('builds the environment of a forked worker process from its own', () => {
    const config = loadConfig({ ...production, PUENTE_WORKER_PROCESSES: '3' });
    const env = workerProcessEnv(config, 4242);
    expect(env).toMatchObject({ PUENTE_ROLE: 'worker', PUENTE_WORKER_PROCESSES: '0', PUENTE_PARENT_PID: '4242', REDIS_URL: production.REDIS_URL, MONGODB_URI: production.MONGODB_URI });
    expect(env.PATH).toBe(process.env.PATH);
    expect(loadConfig(env)).toMatchObject({ PUENTE_ROLE: 'worker', PUENTE_WORKER_PROCESSES: 0, PUENTE_PARENT_PID: 4242 });
  });
});
