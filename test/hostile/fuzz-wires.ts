/**
 * The session fuzzer's ways into the node, all carrying real bytes:
 * - `pipe`: an in-memory byte stream ({@link BytePipeNetlayer}) split by the same FrameReader
 *   as tcp-testing-only: chunks may cut messages anywhere; everything runs in microtasks, so
 *   "nothing more will come" is known after one macrotask;
 * - `memory`: a {@link MemoryNetwork} connection, one whole message per send (the node
 *   decodes exactly the bytes given, garbage included);
 * - `tcp`: a real loopback socket to the node's tcp-testing-only netlayer.
 * Each peer identity's signed op:start-session is computed once and replayed for every
 * session from that identity (op:start-session carries no nonce).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { encode } from '../../src/syrup/index.js';
import { FrameReader } from '../../src/netlayers/tcp-testing-only/framing.js';
import { keyPairFromSeed } from '../../src/crypto/index.js';
import type { MemoryNetlayer } from '../../src/netlayers/memory.js';
import type { Connection } from '../../src/netlayers/interface.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { RawPeer, SEED2 } from '../helpers/raw-peer.js';
import type { BytePipeNetlayer, PipeEnd } from '../helpers/byte-pipe.js';

export type Transport = 'pipe' | 'memory' | 'tcp';

/** What a wire reports to the fuzzer. */
export interface WireListener {
  message(bytes: Uint8Array): void;
  close(): void;
}

/** One open connection to the node, from the hostile peer's side. */
export interface Wire {
  readonly transport: Transport;
  /** Whether chunks are stream bytes (framing applies) rather than whole messages. */
  readonly byteStream: boolean;
  /** Send a stream chunk, or one whole message on `memory`. */
  send(bytes: Uint8Array): void;
  /** Close our side. */
  close(): void;
}

/** The signed op:start-session of a peer at `location`, encoded once. */
export function startSessionBytes(location: PeerLocator): Uint8Array {
  const peer = Object.create(RawPeer.prototype) as RawPeer;
  Object.assign(peer, { keyPair: keyPairFromSeed(SEED2), location });
  return encode(peer.startSession());
}

export function pipeWire(netlayer: BytePipeNetlayer, listener: WireListener): Wire {
  const end: PipeEnd = netlayer.dial(listener);
  return { transport: 'pipe', byteStream: true, send: (b) => end.write(b), close: () => end.close() };
}

export async function memoryWire(netlayer: MemoryNetlayer, target: PeerLocator, listener: WireListener): Promise<Wire> {
  const conn: Connection = await netlayer.connect(target);
  conn.setHandlers({ message: (b) => listener.message(b), error: () => conn.close(), close: () => listener.close() });
  return { transport: 'memory', byteStream: false, send: (b) => conn.send(b), close: () => conn.close() };
}

export async function tcpWire(port: number, listener: WireListener): Promise<Wire> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const reader = new FrameReader();
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    listener.close();
  };
  socket.on('data', (chunk: Buffer) => {
    const { messages, error } = reader.push(chunk);
    for (const m of messages) listener.message(m);
    if (error) {
      socket.destroy();
      throw new Error(`the node wrote a malformed stream: ${error.message}`);
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.end());
  socket.on('close', finish);
  return {
    transport: 'tcp',
    byteStream: true,
    send: (b) => {
      if (!socket.destroyed && socket.writable) socket.write(b);
    },
    close: () => socket.end(),
  };
}
