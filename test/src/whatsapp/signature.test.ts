import { describe, expect, it } from 'vitest';
import { signBody, verifyMetaSignature } from '../../../src/whatsapp/signature.js';
import { fixtureJson, readFixture } from '../../helpers/fixtures.js';

// The signature test vector of test/fixtures/whatsapp/README.md: the app secret, the exact wire body
// (signature-vector.body: inbound-text.json as compact JSON with non-ASCII escaped as \uXXXX, 574
// bytes) and the X-Hub-Signature-256 value computed independently with `openssl dgst -sha256 -hmac`.
const APP_SECRET = 'puente_test_app_secret';
const EXPECTED_HEADER = 'sha256=a23ebaab10582a87b08901c82399086e8e13ddac9c6e83fec64330020105ec4c';
const WIRE_BODY = readFixture('signature-vector.body');

/** What Python's json.dumps(ensure_ascii=True, separators=(",", ":")) produces. */
function asciiEscapedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const verify = (signatureHeader: string | null | undefined, rawBody: string | Uint8Array = WIRE_BODY) =>
  verifyMetaSignature({ appSecret: APP_SECRET, rawBody, signatureHeader });

describe('verifyMetaSignature', () => {
  it('uses the README wire body, which is the 574-byte ASCII-escaped serialization of inbound-text.json', () => {
    expect(Buffer.byteLength(WIRE_BODY)).toBe(574);
    expect(WIRE_BODY).toContain(String.raw`"body":"Buenas tardes \ud83d\ude4f \u00bfTienen cobertura de fibra \u00f3ptica en Envigado?"`);
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
    expect(verify(EXPECTED_HEADER, WIRE_BODY.replace('Valentina', 'Valentino'))).toBe(false);
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
