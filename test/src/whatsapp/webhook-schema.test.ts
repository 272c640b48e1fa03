import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import { WebhookPayloadError, parseWebhookEnvelope } from '../../../src/whatsapp/webhook-schema.js';
import { fixtureJson } from '../../helpers/fixtures.js';

/** Runs normalizeWebhook and returns the WebhookPayloadError it must throw. */
function payloadError(payload: unknown): WebhookPayloadError {
  try {
    normalizeWebhook(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookPayloadError);
    return error as WebhookPayloadError;
  }
  throw new Error('normalizeWebhook accepted an invalid payload');
}

const textFixture = () => fixtureJson<{ object: string; entry: { changes: { value: Record<string, unknown> }[] }[] }>('inbound-text.json');

describe('webhook envelope validation', () => {
  it('rejects an envelope whose object is not whatsapp_business_account, naming the path', () => {
    const payload = { ...textFixture(), object: 'page' };
    const error = payloadError(payload);
    expect(error.details).toEqual([{ path: 'object', message: expect.stringContaining('whatsapp_business_account') }]);
    expect(error.message).toContain('object');
  });

  it('rejects an envelope without entry', () => {
    expect(payloadError({ object: 'whatsapp_business_account' }).details).toEqual([
      { path: 'entry', message: expect.stringContaining('array') },
    ]);
  });

  it('rejects a messages change without metadata.phone_number_id, because events could not be routed', () => {
    const payload = textFixture();
    delete (payload.entry[0]?.changes[0]?.value['metadata'] as Record<string, unknown>)['phone_number_id'];
    expect(payloadError(payload).details.map((d) => d.path)).toEqual(['entry[0].changes[0].value.metadata.phone_number_id']);
  });

  it('rejects a message without its wamid, because it could not be deduplicated', () => {
    const payload = textFixture();
    const messages = payload.entry[0]?.changes[0]?.value['messages'] as Record<string, unknown>[];
    delete messages[0]?.['id'];
    expect(payloadError(payload).details.map((d) => d.path)).toEqual(['entry[0].changes[0].value.messages[0].id']);
  });

  it('rejects a timestamp that is not unix seconds', () => {
    const payload = textFixture();
    const messages = payload.entry[0]?.changes[0]?.value['messages'] as Record<string, unknown>[];
    if (messages[0]) messages[0]['timestamp'] = '2025-06-08T12:00:00Z';
    expect(payloadError(payload).details.map((d) => d.path)).toEqual(['entry[0].changes[0].value.messages[0].timestamp']);
  });

  it('rejects non-object bodies (null, an array, a string) with a WebhookPayloadError, not a TypeError', () => {
    for (const payload of [null, [], 'hello', 42]) expect(payloadError(payload).details.length).toBeGreaterThan(0);
  });

  it('lists every problem at once', () => {
    const error = payloadError({ object: 'page', entry: [{ changes: [{ value: {} }] }] });
    expect(error.details.map((d) => d.path)).toEqual(['object', 'entry[0].id', 'entry[0].changes[0].field']);
  });

  it('parseWebhookEnvelope reports issues without throwing and parses valid payloads', () => {
    expect(parseWebhookEnvelope({ object: 'x', entry: [] })).toEqual({
      success: false,
      issues: [{ path: 'object', message: expect.any(String) }],
    });
    const parsed = parseWebhookEnvelope(fixtureJson('status-read.json'));
    expect(parsed.success).toBe(true);
  });

  it('accepts an envelope with an empty entry list (nothing to do)', () => {
    expect(normalizeWebhook({ object: 'whatsapp_business_account', entry: [] })).toEqual({
      events: [],
      statuses: [],
      errors: [],
      ignoredFields: [],
      skipped: [],
    });
  });
});
