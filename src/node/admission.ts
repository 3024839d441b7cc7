/**
 * Who may hold a session with this node, side by side so the rules can be audited at a
 * glance: the checks on a new connection (before any work is spent on it) and the checks on
 * the identity a peer presents in op:start-session (notes §5.3). Each returns the reason to
 * refuse, which becomes the op:abort reason, or `undefined`.
 * @module
 */
import { locatorKey, sameLocator } from '../locator/index.js';
import type { PeerLocator } from '../locator/types.js';
import type { Connection, Netlayer } from '../netlayers/interface.js';
import type { CaptpSession } from '../captp/session.js';
import type { NodeLimits } from './limits.js';
import type { RateLimiter } from './limits.js';

/** What the connection checks read. */
export interface ConnectionFacts {
  readonly limits: NodeLimits;
  readonly closed: boolean;
  /** Open sessions, and how many of them are in their handshake. */
  readonly sessions: number;
  readonly handshakes: number;
  /** Open sessions over connections from `address`. */
  sessionsFrom(address: string): number;
  readonly rate: RateLimiter;
}

/** Checks a new connection, before a session key is made for it. */
export function checkConnection(f: ConnectionFacts, conn: Connection): string | undefined {
  const address = conn.outgoing ? undefined : conn.remoteAddress;
  // 1. The node is open.
  if (f.closed) return 'node is closed';
  // 2. Room for one more session.
  if (f.sessions >= f.limits.maxSessions) return `too many sessions (maxSessions ${f.limits.maxSessions})`;
  // 3. Room for one more handshake.
  if (f.handshakes >= f.limits.maxHandshakes) return `too many sessions in their handshake (maxHandshakes ${f.limits.maxHandshakes})`;
  if (address === undefined) return undefined;
  // 4. Room for one more session from that address.
  if (f.sessionsFrom(address) >= f.limits.maxSessionsPerAddress) return `too many sessions from ${address} (maxSessionsPerAddress ${f.limits.maxSessionsPerAddress})`;
  // 5. That address has not opened connections faster than the handshake rate.
  if (!f.rate.take(address)) return `too many new connections from ${address} (handshakesPerSecondPerAddress ${f.limits.handshakesPerSecondPerAddress})`;
  return undefined;
}

/** What the identity checks read. */
export interface IdentityFacts {
  readonly limits: NodeLimits;
  /** Whether `loc` names this node (transport and designator). */
  isOwnDesignator(loc: PeerLocator): boolean;
  /** Open sessions whose peer uses this session public key. */
  sessionsWithKey(key: Uint8Array): number;
  /** Claimed-only sessions naming the peer with this locator key. */
  claimedSessions(key: string): number;
}

/**
 * Checks the identity a peer presented in a verified op:start-session on `s`, over a
 * connection of `netlayer` (`dialled`: the locator we dialled, for outgoing connections).
 */
export function checkIdentity(f: IdentityFacts, s: CaptpSession, netlayer: Netlayer, dialled: PeerLocator | undefined): string | undefined {
  const peer = s.peerLocation!;
  const proven = s.connection.provenDesignator;
  // 1. The location names this connection's transport.
  if (peer.transport !== netlayer.transport) return `peer location names transport ${peer.transport} on a ${netlayer.transport} connection`;
  // 2. A peer may not claim to be us.
  if (f.isOwnDesignator(peer)) return 'peer location names this node';
  // 3. A connection we dialled reached the peer we dialled.
  if (dialled && !sameLocator(dialled, peer)) return 'peer location does not match the one dialled';
  // 4. What the netlayer proved is what the peer claims.
  if (proven !== undefined && proven !== peer.designator) return 'peer location does not match the designator the netlayer proved';
  // 5. A session key serves one session at a time (keys are fresh for each session).
  if (f.sessionsWithKey(s.peerPublicKey!) > f.limits.maxSessionsPerKey) return `peer session key already in use (maxSessionsPerKey ${f.limits.maxSessionsPerKey})`;
  // 6. Few claimed-only sessions naming one peer (counted with this one).
  if (s.identity === 'claimed' && f.claimedSessions(locatorKey(peer)) >= f.limits.maxClaimedSessionsPerPeer) {
    return `too many unproven sessions claiming this peer (maxClaimedSessionsPerPeer ${f.limits.maxClaimedSessionsPerPeer})`;
  }
  return undefined;
}
