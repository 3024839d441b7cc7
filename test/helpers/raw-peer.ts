/**
 * A peer scripted at the byte level, for transcript tests: it speaks to a real OcapnNode
 * through a netlayer connection, sends exactly the bytes a test gives it, and records
 * exactly the bytes it receives. It does not use our CapTP engine.
 */
import { decode, encode, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { rec, sym } from '../../src/syrup/types.js';
import { keyPairFromSeed, publicKeyToSyrup, sign, signatureToSyrup, publicId, sessionId, publicKeyFromSyrup, type SessionKeyPair } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import type { PeerLocator } from '../../src/locator/types.js';
import type { Connection, Netlayer } from '../../src/netlayers/interface.js';
import { SK2 } from './rfc8032.js';

/** RFC 8032 test key 2's seed: a fixed key for reproducible transcripts. */
export const SEED2: Uint8Array = SK2.slice();

export class RawPeer {
  readonly received: SyrupRecord[] = [];
  readonly receivedBytes: Uint8Array[] = [];
  closed = false;
  closeError: Error | undefined;
  peerKey: Uint8Array | undefined;
  sessionId: Uint8Array | undefined;
  private waiters: Array<() => void> = [];
  private cursor = 0;

  constructor(readonly conn: Connection, readonly keyPair: SessionKeyPair, readonly location: PeerLocator) {
    conn.setHandlers({
      message: (bytes) => {
        this.receivedBytes.push(bytes);
        this.received.push(decode(bytes) as SyrupRecord);
        this.wake();
      },
      error: (e) => {
        this.closeError = e;
        this.wake();
      },
      close: (e) => {
        this.closed = true;
        this.closeError ??= e;
        this.wake();
      },
    });
  }

  /** Dial `target` from `netlayer` (whose location we claim). */
  static async dial(netlayer: Netlayer, target: PeerLocator, seed: Uint8Array = SEED2): Promise<RawPeer> {
    const conn = await netlayer.connect(target);
    return new RawPeer(conn, keyPairFromSeed(seed), netlayer.location);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** The op:start-session this peer sends (signature over <my-location LOC>). */
  startSession(version = '1.0', location: PeerLocator = this.location): SyrupRecord {
    const loc = peerLocatorToSyrup(location);
    const sig = sign(rec('my-location', loc), this.keyPair.privateKey);
    return rec('op:start-session', version, publicKeyToSyrup(this.keyPair.publicKey), loc, signatureToSyrup(sig));
  }

  /** Send a record (encoded canonically) or raw bytes. */
  send(message: SyrupValue | Uint8Array): void {
    this.conn.send(message instanceof Uint8Array ? message : encode(message));
  }

  /** The next message not yet consumed, waiting up to `ms`. Rejects on timeout or close. */
  async next(ms = 2000): Promise<SyrupRecord> {
    const deadline = Date.now() + ms;
    while (this.cursor >= this.received.length) {
      if (this.closed) throw new Error(`connection closed while waiting (${this.closeError?.message ?? 'no error'})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    return this.received[this.cursor++];
  }

  /** Next message, asserting its label. */
  async expect(label: string, ms?: number): Promise<SyrupRecord> {
    const m = await this.next(ms);
    if (m.labelName !== label) throw new Error(`expected <${label} …>, got <${m.labelName} …>`);
    return m;
  }

  /** Skip GC messages; return the next other message. */
  async nextNonGc(ms?: number): Promise<SyrupRecord> {
    for (;;) {
      const m = await this.next(ms);
      if (!m.labelName?.startsWith('op:gc-')) return m;
    }
  }

  /** Wait until the connection closes (or `ms` passes). */
  async waitClosed(ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.closed;
  }

  /** Exchange op:start-session: send ours, read theirs, compute the session id. */
  async handshake(): Promise<SyrupRecord> {
    this.send(this.startSession());
    const theirs = await this.expect('op:start-session');
    this.peerKey = publicKeyFromSyrup(theirs.fields[1]);
    this.sessionId = sessionId(publicId(this.keyPair.publicKey), publicId(this.peerKey));
    return theirs;
  }
}

export { rec, sym };
