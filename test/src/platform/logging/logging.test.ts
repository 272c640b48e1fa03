import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consoleErrorSerializer, createLogger, summarizeError } from '../../../../src/platform/logging/logger.js';
import { maskPhone } from '../../../../src/platform/logging/redact.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger redaction', () => {
  it('masks phone numbers to their last 4 digits', () => {
    expect(maskPhone('573001234567')).toBe('********4567');
    expect(maskPhone('+573001234567')).toBe('********4567');
  });

  it('never writes a token or a phone number in full, at any depth', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        headers: { authorization: 'Bearer sk_live_abcdef', 'x-hub-signature-256': 'sha256=deadbeef' },
        job: { data: { userPhone: '573001234567', nested: [{ to: '573009876543', accessToken: 'EAAG-secret' }] } },
        botApiToken: 'bot-token-value',
      },
      'sending to 573001234567',
    );
    const out = lines.join('\n');
    for (const secret of ['sk_live_abcdef', 'deadbeef', 'EAAG-secret', 'bot-token-value', '573001234567', '573009876543']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('********4567');
    expect(out).toContain('********6543');
    expect(out).toContain('[REDACTED]');
  });

  it('redacts inside error objects, including their messages and custom fields', () => {
    const { logger, records } = capture();
    const err = Object.assign(new Error('send to 573001234567 failed'), { config: { headers: { Authorization: 'Bearer EAAG-xyz' } } });
    logger.error({ err }, 'boom');
    const [record] = records();
    const text = JSON.stringify(record);
    expect(text).not.toContain('573001234567');
    expect(text).not.toContain('EAAG-xyz');
    expect((record?.err as { message: string }).message).toBe('send to ********4567 failed');
  });

  it('redacts child-logger bindings and keeps ids that are not personal', () => {
    const { logger, records } = capture();
    logger.child({ waId: '573001234567', phoneNumberId: '106540352242922', jobId: '123456789' }).info('hello');
    const [record] = records();
    expect(record).toMatchObject({ waId: '********4567', phoneNumberId: '106540352242922', jobId: '123456789', msg: 'hello' });
  });
});

describe('the dev console (pretty) error output', () => {
  const failure = Object.assign(new Error('getaddrinfo ENOTFOUND graph.example'), { code: 'ENOTFOUND' });

  it('shows a failed attempt as its kind, message and code, without the stack, at info', () => {
    const shown = consoleErrorSerializer('info')(failure);
    expect(shown).toEqual({ type: 'Error', message: 'getaddrinfo ENOTFOUND graph.example', code: 'ENOTFOUND' });
    expect(JSON.stringify(shown)).not.toContain('at ');
  });

  it('keeps the stack at debug, where the detail was asked for', () => {
    expect(JSON.stringify(consoleErrorSerializer('debug')(failure))).toContain('logging.test.ts');
  });

  it('summarizes without losing what is not an Error', () => {
    expect(summarizeError('plain text')).toBe('plain text');
  });
});
