/**
 * Where a webhook may be sent (SSRF). A subscription's URL must be https and must not reach
 * Puente's own network: loopback, private (RFC 1918), link-local, unique-local, CGNAT, unspecified,
 * multicast and the other special-purpose ranges are refused, for IPv4 and IPv6 alike, including
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4). The check
 * runs when a URL is set (every address the name resolves to) and again on every delivery, on the
 * address actually connected to: the delivery agent's `lookup` drops refused addresses (so a DNS
 * answer that changed since, "DNS rebinding", cannot slip through) and the socket's remote address
 * is checked once connected. `WEBHOOKS_ALLOW_PRIVATE_TARGETS` lets private targets through, and
 * plain http to them (development: n8n on localhost); plain http to a public address stays refused.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the default is the system resolver, as `http` uses). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** IPv4 ranges no webhook may reach: [first octets as a number, prefix length, name]. */
const V4_SPECIAL: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'special-purpose'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

const V4_RANGES = V4_SPECIAL.map(([base, bits, name]) => ({ base: v4ToInt(base)!, size: 2 ** (32 - bits), name }));

function classifyV4(n: number): string | undefined {
  return V4_RANGES.find((r) => n >= r.base && n < r.base + r.size)?.name;
}

/** The 16 bytes of an IPv6 address (zone id dropped, embedded dotted quad accepted), or undefined. */
export function parseIPv6(input: string): number[] | undefined {
  let text = input.replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIP(text) !== 6) return undefined;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded dotted quad (::ffff:10.0.0.1) is the last two 16-bit groups.
    const v4 = v4ToInt(last);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((v4 >>> 16) & 0xffff).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (words.length !== 8 || words.some((w) => Number.isNaN(w) || w < 0 || w > 0xffff)) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const bytesToV4 = (b: number[], at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const startsWith = (b: number[], prefix: number[], bits: number) => {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((b[byte]! & mask) !== (prefix[byte]! & mask)) return false;
  }
  return true;
};
const zeros = (n: number) => Array<number>(n).fill(0);

function classifyV6(b: number[]): string | undefined {
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d: judged as the IPv4 address they carry.
  if (startsWith(b, [...zeros(10), 0xff, 0xff], 96)) return classifyV4(bytesToV4(b, 12));
  if (startsWith(b, zeros(12), 96)) return classifyV4(bytesToV4(b, 12)) ?? 'ipv4-compatible';
  // NAT64 (64:ff9b::/96) reaches the IPv4 address it carries; 6to4 (2002::/16) a router at one.
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, ...zeros(12)], 96)) return classifyV4(bytesToV4(b, 12));
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ...zeros(10)], 48)) return 'nat64-local';
  if (startsWith(b, [0x20, 0x02, ...zeros(14)], 16)) return classifyV4(bytesToV4(b, 2));
  if (startsWith(b, [0xfe, 0x80, ...zeros(14)], 10)) return 'link-local';
  if (startsWith(b, [0xfe, 0xc0, ...zeros(14)], 10)) return 'site-local';
  if (startsWith(b, [0xfc, ...zeros(15)], 7)) return 'unique-local';
  if (startsWith(b, [0xff, ...zeros(15)], 8)) return 'multicast';
  if (startsWith(b, [0x01, ...zeros(15)], 64)) return 'discard';
  if (startsWith(b, [0x20, 0x01, 0x0d, 0xb8, ...zeros(12)], 32)) return 'documentation';
  // 2001::/23 (IETF protocol assignments: Teredo, ORCHID, …), 3fff::/20 (documentation).
  if (startsWith(b, [0x20, 0x01, ...zeros(14)], 23)) return 'special-purpose';
  if (startsWith(b, [0x3f, 0xff, ...zeros(14)], 20)) return 'documentation';
  return undefined;
}

/**
 * Why `address` (an IP literal) is not a public unicast address — 'loopback', 'private', … — or
 * undefined when it is one. Something that is not an IP address at all is 'invalid'.
 */
export function specialRange(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const kind = isIP(bare.split('%')[0] ?? '');
  if (kind === 4) return classifyV4(v4ToInt(bare)!);
  if (kind === 6) {
    const bytes = parseIPv6(bare);
    return bytes ? classifyV6(bytes) : 'invalid';
  }
  return 'invalid';
}

/** What may be reached: `allowPrivate` is WEBHOOKS_ALLOW_PRIVATE_TARGETS. */
export interface TargetPolicy {
  allowPrivate: boolean;
}

/**
 * Whether a delivery over `protocol` ('https:' or 'http:') may connect to `address`: a public
 * address over https; a special one only when allowed, and then over http too.
 */
export function addressRefusal(address: string, protocol: string, policy: TargetPolicy): string | undefined {
  const range = specialRange(address);
  if (range === 'invalid') return `${address} is not an IP address`;
  if (range) return policy.allowPrivate ? undefined : `${address} is a ${range} address`;
  return protocol === 'https:' ? undefined : 'plain http is allowed only to private targets (WEBHOOKS_ALLOW_PRIVATE_TARGETS)';
}

/** The error a delivery fails with when its target resolves only to refused addresses. */
export class BlockedTargetError extends Error {
  readonly code = 'EBLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedTargetError';
  }
}

/** A URL's host name as a bare IP literal, when it is one (`[::1]` → `::1`). */
export function hostLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : undefined;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string; unresolved?: boolean };

/**
 * Checks a subscription URL when it is set: parseable, http(s), no fragment, and every address its
 * host resolves to allowed (one refused address refuses the URL: the resolver could answer with it
 * at delivery time).
 */
export async function checkTargetUrl(raw: string, policy: TargetPolicy, resolve: Resolver): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must be an https URL' };
  if (url.protocol === 'http:' && !policy.allowPrivate) return { ok: false, reason: 'must be an https URL' };
  if (!url.hostname) return { ok: false, reason: 'has no host' };
  const literal = hostLiteral(url.hostname);
  let addresses: string[];
  if (literal) addresses = [literal];
  else {
    try {
      addresses = (await resolve(url.hostname)).map((a) => a.address);
    } catch {
      return { ok: false, reason: `the host ${url.hostname} does not resolve`, unresolved: true };
    }
    if (addresses.length === 0) return { ok: false, reason: `the host ${url.hostname} does not resolve`, unresolved: true };
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, url.protocol, policy);
    if (refusal) return { ok: false, reason: literal ? refusal : `${url.hostname} resolves to ${refusal}` };
  }
  return { ok: true, url };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

/**
 * A `lookup` for an http(s) Agent: resolves with `resolve` and hands the socket only the allowed
 * addresses, so the address connected to is always one the policy accepts (checked after DNS, at
 * connect time). `protocol` is the agent's.
 */
export function guardedLookup(resolve: Resolver, protocol: 'http:' | 'https:', policy: TargetPolicy) {
  return (hostname: string, options: { family?: number | string; all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const opts = typeof options === 'object' && options !== null ? options : { family: options };
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    resolve(hostname).then(
      (found) => {
        const candidates = found.filter((a) => !family || a.family === family);
        const allowed = candidates.filter((a) => !addressRefusal(a.address, protocol, policy));
        if (allowed.length === 0) {
          const reason = candidates[0] ? addressRefusal(candidates[0].address, protocol, policy) : 'no address';
          callback(new BlockedTargetError(`refused target: ${hostname} resolves to ${reason}`), '', 0);
          return;
        }
        if (opts.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
