import { describe, expect, it } from 'vitest';
import { signBody, verifyMetaSignature } from '../../../src/whatsapp/signature.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const APP_SECRET = 'test_app_secret';
const EXPECTED_HEADER = 'sha256=b8783675a9b513a17a4efade8a5d830bbca958bd253379a7a0178f349cf55759';
// The exact wire body from fixtures/README.md: compact JSON with non-ASCII escaped as \uXXXX
// (String.raw keeps the backslashes literal, as they are on the wire).
const WIRE_BODY = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Camila Restrepo"},"wa_id":"573001234567"}],"messages":[{"from":"573001234567","id":"wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA","timestamp":"1749416383","type":"text","text":{"body":"Hola, \u00bftienen env\u00edos a Medell\u00edn?"}}]},"field":"messages"}]}]}`;

/** What Python's json.dumps(ensure_ascii=True, separators=(",", ":")) produces. */
function asciiEscapedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const verify = (signatureHeader: string | null | undefined, rawBody: string | Uint8Array = WIRE_BODY) =>
  verifyMetaSignature({ appSecret: APP_SECRET, rawBody, signatureHeader });

describe('verifyMetaSignature', () => {
  it('uses the README wire body, which is the 520-byte ASCII-escaped serialization of inbound-text.json', () => {
    expect(Buffer.byteLength(WIRE_BODY)).toBe(520);
    expect(asciiEscapedJson(fixtureJson('inbound-text.json'))).toBe(WIRE_BODY);
  });

  it('accepts the known test vector as a string and as raw bytes', () => {
    expect(verify(EXPECTED_HEADER)).toBe(true);
    expect(verify(EXPECTED_HEADER, Buffer.from(WIRE_BODY, 'utf8'))).toBe(true);
    expect(verify(EXPECTED_HEADER, new Uint8Array(Buffer.from(WIRE_BODY, 'utf8')))).toBe(true);
  });

  it('rejects the same object re-serialized with raw UTF-8 (the parse-and-restringify bug)', () => {
    const reserialized = JSON.stringify(JSON.parse(WIRE_BODY));
    expect(reserialized).not.toBe(WIRE_BODY);
    expect(verify(EXPECTED_HEADER, reserialized)).toBe(false);
  });

  it('rejects a signature computed with another secret', () => {
    expect(verify(signBody('other_secret', WIRE_BODY))).toBe(false);
  });

  it('rejects a body changed by a single byte', () => {
    expect(verify(EXPECTED_HEADER, WIRE_BODY.replace('Camila', 'Camilo'))).toBe(false);
  });

  it('accepts uppercase hex, since the digest bytes are the same', () => {
    expect(verify(`sha256=${EXPECTED_HEADER.slice('sha256='.length).toUpperCase()}`)).toBe(true);
  });

  it('rejects a header with the sha1= prefix or no prefix at all', () => {
    const hex = EXPECTED_HEADER.slice('sha256='.length);
    expect(verify(`sha1=${hex}`)).toBe(false);
    expect(verify(hex)).toBe(false);
    expect(verify(`SHA256=${hex}`)).toBe(false);
  });

  it('returns false without throwing for digests of the wrong length', () => {
    expect(() => verify(EXPECTED_HEADER.slice(0, -2))).not.toThrow();
    expect(verify(EXPECTED_HEADER.slice(0, -2))).toBe(false);
    expect(verify(`${EXPECTED_HEADER}00`)).toBe(false);
    expect(verify('sha256=')).toBe(false);
  });

  it('rejects non-hex characters of the right length', () => {
    expect(verify(`sha256=${'z'.repeat(64)}`)).toBe(false);
    expect(verify(`${EXPECTED_HEADER.slice(0, -1)}g`)).toBe(false);
  });

  it('rejects surrounding whitespace and a second value appended', () => {
    expect(verify(` ${EXPECTED_HEADER}`)).toBe(false);
    expect(verify(`${EXPECTED_HEADER}, ${EXPECTED_HEADER}`)).toBe(false);
  });

  it('rejects an empty or missing header', () => {
    expect(verify('')).toBe(false);
    expect(verify(undefined)).toBe(false);
    expect(verify(null)).toBe(false);
  });

  it('rejects everything when the app secret is empty (misconfiguration)', () => {
    const signedWithEmptyKey = signBody('', WIRE_BODY);
    expect(verifyMetaSignature({ appSecret: '', rawBody: WIRE_BODY, signatureHeader: signedWithEmptyKey })).toBe(false);
  });
});

describe('signBody', () => {
  it('produces the README header for the README body', () => {
    expect(signBody(APP_SECRET, WIRE_BODY)).toBe(EXPECTED_HEADER);
  });

  it('produces sha256= plus 64 lowercase hex characters that verifyMetaSignature accepts', () => {
    const header = signBody('crm_secret', '{"ticketId":"TK-2025-000001"}');
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyMetaSignature({ appSecret: 'crm_secret', rawBody: '{"ticketId":"TK-2025-000001"}', signatureHeader: header })).toBe(true);
  });
});
