import { describe, expect, it } from 'vitest';
import {
  GraphApiError,
  GraphNetworkError,
  classifyGraphError,
  parseRetryAfter,
  recipientBackoffMs,
} from '../../../src/whatsapp/graph-errors.js';
import type { GraphErrorKind } from '../../../src/whatsapp/graph-errors.js';

describe('classifyGraphError by Meta error code', () => {
  const table: [code: number, status: number, kind: GraphErrorKind, alert?: 'token'][] = [
    [130429, 400, 'retry'],
    [130429, 429, 'retry'],
    [131000, 500, 'retry'],
    [131016, 503, 'retry'],
    [4, 400, 'retry'],
    [80007, 400, 'retry'],
    [2, 503, 'retry'],
    [131057, 400, 'retry'],
    [131056, 400, 'recipient_backoff'],
    [131026, 400, 'permanent'],
    [131047, 400, 'permanent'],
    [131051, 400, 'permanent'],
    [132000, 400, 'permanent'],
    [132001, 404, 'permanent'],
    [132012, 400, 'permanent'],
    [132999, 400, 'permanent'],
    [190, 401, 'permanent', 'token'],
    [0, 401, 'permanent', 'token'],
    [368, 403, 'permanent'],
    [100, 400, 'permanent'],
    [131005, 403, 'permanent'],
    [131008, 400, 'permanent'],
    [131009, 400, 'permanent'],
    [131048, 400, 'permanent'],
    [133010, 400, 'permanent'],
    [999999, 400, 'permanent'],
  ];

  it.each(table)('code %i with HTTP %i → %s', (code, status, kind, alert) => {
    const result = classifyGraphError({ code, status });
    expect(result.kind).toBe(kind);
    expect(result.code).toBe(code);
    expect(result.alert).toBe(alert);
  });

  it('keys on the code, not the status: a documented permanent code stays permanent under a 5xx', () => {
    expect(classifyGraphError({ code: 131047, status: 500 }).kind).toBe('permanent');
    expect(classifyGraphError({ code: 132001, status: 503 }).kind).toBe('permanent');
  });

  it('retries an unknown code that arrives with a 5xx or with is_transient', () => {
    expect(classifyGraphError({ code: 999999, status: 502 }).kind).toBe('retry');
    expect(classifyGraphError({ code: 999999, status: 400, isTransient: true }).kind).toBe('retry');
  });

  it('keeps the title and message for the log', () => {
    expect(classifyGraphError({ code: 131047, status: 400, title: 'Re-engagement message', message: '(#131047) Re-engagement message' })).toEqual({
      kind: 'permanent',
      code: 131047,
      title: 'Re-engagement message',
      message: '(#131047) Re-engagement message',
    });
  });
});

describe('classifyGraphError without a Meta error envelope', () => {
  it.each([
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [429, 'retry'],
    [408, 'retry'],
    [400, 'permanent'],
    [404, 'permanent'],
  ] as const)('HTTP %i → %s', (status, kind) => {
    expect(classifyGraphError({ status }).kind).toBe(kind);
  });

  it('retries when no response arrived at all', () => {
    expect(classifyGraphError({}).kind).toBe('retry');
  });
});

describe('backoff hints', () => {
  it('delays only the recipient by 4^attempt seconds on 131056: 1, 4, 16, 64, 256 s, then capped', () => {
    const delays = [0, 1, 2, 3, 4, 5, 9].map((attempt) => classifyGraphError({ code: 131056, status: 400, attempt }).retryAfterMs);
    expect(delays).toEqual([1000, 4000, 16000, 64000, 256000, 256000, 256000]);
    expect(recipientBackoffMs(-1)).toBe(1000);
  });

  it('honours a Retry-After header in seconds or as an HTTP date', () => {
    expect(classifyGraphError({ code: 130429, status: 429, retryAfter: '7' }).retryAfterMs).toBe(7000);
    const now = Date.parse('2025-06-10T12:00:00Z');
    expect(classifyGraphError({ status: 503, retryAfter: 'Tue, 10 Jun 2025 12:00:30 GMT', now }).retryAfterMs).toBe(30000);
  });

  it('prefers Retry-After over the 4^attempt schedule for 131056', () => {
    expect(classifyGraphError({ code: 131056, status: 400, retryAfter: '30', attempt: 0 }).retryAfterMs).toBe(30000);
  });

  it('gives no delay hint for permanent failures or plain retries without Retry-After', () => {
    expect(classifyGraphError({ code: 131047, status: 400, retryAfter: '10' }).retryAfterMs).toBeUndefined();
    expect(classifyGraphError({ code: 131000, status: 500 }).retryAfterMs).toBeUndefined();
  });

  it('ignores a Retry-After it cannot parse', () => {
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('error classes', () => {
  it('GraphApiError is retryable unless its classification is permanent', () => {
    const make = (code: number) => new GraphApiError({ message: 'x', status: 400, code, classification: classifyGraphError({ code, status: 400 }) });
    expect(make(130429).retryable).toBe(true);
    expect(make(131056).retryable).toBe(true);
    expect(make(131047).retryable).toBe(false);
    expect(make(131047)).toBeInstanceOf(Error);
    expect(make(131047).name).toBe('GraphApiError');
  });

  it('GraphNetworkError is always retryable and says whether it timed out', () => {
    const error = new GraphNetworkError('timeout', { code: 'ETIMEDOUT', timedOut: true });
    expect(error).toMatchObject({ name: 'GraphNetworkError', retryable: true, timedOut: true, code: 'ETIMEDOUT', classification: { kind: 'retry' } });
  });
});
