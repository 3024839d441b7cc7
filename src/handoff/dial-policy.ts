/**
 * Dial policies: whether a peer's message may make this node dial a location. A give
 * (notes §9.3) names an exporter that the receiver then dials, so any peer can point us at
 * any host and port; a policy decides which locations such a give may reach.
 * Platform-neutral: pure string and address parsing, no DNS.
 * @module
 */
import type { PeerLocator } from '../locator/types.js';

/** Why a dial is being considered, and on whose behalf. */
export interface DialContext {
  /** `handoff`: a `desc:handoff-give` names this exporter (notes §9.3). */
  readonly reason: 'handoff';
  /** The peer whose message asks for the dial (the gifter). */
  readonly from: PeerLocator;
}

/**
 * Decides whether we may dial `location`: `true` allows; `false` or a reason string refuses
 * (the give then breaks with that reason; the gifter's session goes on).
 */
export type DialPolicy = (location: PeerLocator, context: DialContext) => boolean | string;

/** The default policy: any OCapN peer may be dialled. */
export const allowAnyPeer: DialPolicy = () => true;

/**
 * A policy for internet-facing nodes: refuses `tcp-testing-only` locators whose `host` hint
 * and `websocket` locators whose `url` hint name a loopback, private, shared, link-local,
 * unspecified, multicast or reserved address, or `localhost` (and `*.localhost`).
 *
 * IPv4 ranges refused: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4,
 * 240/4. IPv6: `::`, `::1`, fc00::/7, fe80::/10, fec0::/10, ff00::/8, and any IPv4-mapped,
 * IPv4-compatible or NAT64 (64:ff9b::/96) address whose IPv4 part is refused. Hosts are
 * normalised the way the WHATWG URL parser does (so `127.1`, `0x7f.0.0.1` and `2130706433`
 * are 127.0.0.1). A host that does not parse is refused. Other DNS names are allowed: this
 * policy does no DNS, so a name that resolves to a private address is not caught. Locators
 * of other transports (memory, onion, …) are allowed.
 */
export const refusePrivateAddresses: DialPolicy = (location) => {
  const hints = location.hints;
  const hint = (name: string): string | undefined => (hints && typeof hints[name] === 'string' ? hints[name] : undefined);
  let host: string | undefined;
  if (location.transport === 'tcp-testing-only') {
    host = hint('host');
    if (host === undefined) return 'no host hint';
    host = normaliseHost(host);
  } else if (location.transport === 'websocket') {
    const url = hint('url');
    if (url === undefined) return 'no url hint';
    host = urlHost(url);
  } else {
    return true;
  }
  if (host === undefined) return 'the host does not parse';
  const why = privateHostReason(host);
  return why === undefined ? true : `${host} is ${why}`;
};

/** A bare host (name, IPv4 in any inet_aton form, or IPv6 with or without brackets), normalised. */
function normaliseHost(host: string): string | undefined {
  if (host === '') return undefined;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return urlHost(`ws://${bracketed}/`);
}

function urlHost(url: string): string | undefined {
  try {
    const h = new URL(url).hostname;
    return h === '' ? undefined : h;
  } catch {
    return undefined;
  }
}

/** Why a normalised host is not a public address, or `undefined` if it may be. */
function privateHostReason(host: string): string | undefined {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) return 'localhost';
  if (host.startsWith('[')) {
    const groups = parseIpv6(host.slice(1, -1));
    return groups ? ipv6Reason(groups) : 'not an IPv6 address';
  }
  const v4 = parseIpv4(host);
  return v4 === undefined ? undefined : ipv4Reason(v4);
}

/** A dotted-quad IPv4 address (the URL parser's output form) as a 32-bit number. */
function parseIpv4(host: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

const IPV4_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [0x00000000, 8, 'an unspecified address (0.0.0.0/8)'],
  [0x0a000000, 8, 'a private address (10.0.0.0/8)'],
  [0x64400000, 10, 'a shared address (100.64.0.0/10)'],
  [0x7f000000, 8, 'a loopback address (127.0.0.0/8)'],
  [0xa9fe0000, 16, 'a link-local address (169.254.0.0/16)'],
  [0xac100000, 12, 'a private address (172.16.0.0/12)'],
  [0xc0a80000, 16, 'a private address (192.168.0.0/16)'],
  [0xe0000000, 4, 'a multicast address (224.0.0.0/4)'],
  [0xf0000000, 4, 'a reserved address (240.0.0.0/4)'],
];

function ipv4Reason(a: number): string | undefined {
  for (const [base, bits, why] of IPV4_RANGES) if ((a >>> (32 - bits)) === (base >>> (32 - bits))) return why;
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address in the URL parser's output form (hex, at most one `::`). */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const head = split(halves[0]);
  const tail = halves.length === 2 ? split(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail].map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  return groups.some(Number.isNaN) ? undefined : groups;
}

function ipv6Reason(g: number[]): string | undefined {
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = ((g[6] << 16) | g[7]) >>> 0;
  if (zeroPrefix(8)) return 'the unspecified address (::)';
  if (zeroPrefix(7) && g[7] === 1) return 'the loopback address (::1)';
  if ((g[0] & 0xfe00) === 0xfc00) return 'a unique local address (fc00::/7)';
  if ((g[0] & 0xffc0) === 0xfe80) return 'a link-local address (fe80::/10)';
  if ((g[0] & 0xffc0) === 0xfec0) return 'a site-local address (fec0::/10)';
  if ((g[0] & 0xff00) === 0xff00) return 'a multicast address (ff00::/8)';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  const mapped = zeroPrefix(5) && (g[5] === 0xffff || g[5] === 0);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) {
    const why = ipv4Reason(embedded);
    if (why) return `${why} in IPv6 form`;
  }
  return undefined;
}
