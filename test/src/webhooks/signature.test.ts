import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { generateSecret, signatureHeader, signatureV1 } from '../../../src/webhooks/signature.js';

/** docs/webhooks.md: the test vector's table and the Node example, read from the file itself. */
const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
const row = (name: string) => {
  const match = new RegExp(`^\\| ${name} \\| \`([^\`]+)\` \\|$`, 'm').exec(doc);
  if (!match?.[1]) throw new Error(`docs/webhooks.md has no test vector row "${name}"`);
  return match[1];
};
const vector = { secret: row('secret'), timestamp: Number(row('timestamp')), body: row('body'), header: row('X-Puente-Signature') };

type Verify = (secret: string, header: string | undefined, rawBody: string | Buffer, nowSeconds?: number) => boolean;
const nodeExample = (): Verify => {
  const block = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes('function verifyPuenteSignature'));
  if (!block) throw new Error('docs/webhooks.md has no Node example');
  return new Function('require', `${block}\nreturn verifyPuenteSignature;`)(createRequire(import.meta.url)) as Verify;
};

describe('the signature (docs/webhooks.md test vector)', () => {
  it("Puente's signer produces the documented header for the vector", () => {
    expect(signatureHeader([vector.secret], vector.timestamp, vector.body)).toBe(vector.header);
    expect(vector.header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
  });

  it('signs "<t>.<raw body>" with HMAC-SHA256, one v1 per secret, the new secret first', () => {
    const other = 'whsec_b2xkLXNlY3JldC1vZi10aGUtdGVzdC12ZWN0b3ItMDAwMDA';
    const header = signatureHeader([vector.secret, other], vector.timestamp, vector.body);
    expect(header).toBe(`${vector.header},v1=${signatureV1(other, vector.timestamp, vector.body)}`);
  });

  it('the documented Node example accepts the vector and refuses what it must refuse', () => {
    const verify = nodeExample();
    const { secret, timestamp: t, body, header } = vector;
    expect(verify(secret, header, body, t)).toBe(true);
    expect(verify(secret, header, Buffer.from(body), t + 299)).toBe(true);
    // Older (or further ahead) than 5 minutes: refused, even correctly signed.
    expect(verify(secret, header, body, t + 301)).toBe(false);
    expect(verify(secret, header, body, t - 301)).toBe(false);
    expect(verify(secret, header, `${body} `, t)).toBe(false);
    expect(verify('whsec_wrong', header, body, t)).toBe(false);
    expect(verify(secret, header.replace('t=1767225600', 't=1767225601'), body, t)).toBe(false);
    expect(verify(secret, undefined, body, t)).toBe(false);
    expect(verify(secret, 'garbage', body, t)).toBe(false);
    // During a rotation's overlap either secret verifies.
    const rotated = signatureHeader(['whsec_new', secret], t, body);
    expect(verify(secret, rotated, body, t)).toBe(true);
    expect(verify('whsec_new', rotated, body, t)).toBe(true);
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });
});
