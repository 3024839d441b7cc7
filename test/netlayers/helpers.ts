/** Shared helpers for the netlayer tests: recorded streams and an event recorder. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Connection, Netlayer } from '../../src/netlayers/index.js';

/** One recorded direction of one connection. */
export interface RecordedStream {
  name: string;
  bin: Uint8Array;
  /** The messages listed in index.json, sliced from `bin`. */
  messages: Uint8Array[];
}

type Msg = [number, number, string];
interface Part {
  files: Record<string, string>;
  messages: Record<string, Msg[]>;
}

function vectorFile(path: string): URL {
  return new URL(`../../../shared/vectors/${path}`, import.meta.url);
}

function fromParts(dir: string, label: string, parts: Part[]): RecordedStream[] {
  const out: RecordedStream[] = [];
  for (const part of parts) {
    for (const [direction, listed] of Object.entries(part.messages)) {
      const fileName = part.files[direction];
      const bin = new Uint8Array(readFileSync(vectorFile(`${dir}/${fileName}`)));
      out.push({
        name: `${label}/${fileName}`,
        bin,
        messages: listed.map(([offset, length]) => bin.slice(offset, offset + length)),
      });
    }
  }
  return out;
}

/** Every raw-framed recorded stream: the suite ⇄ Endo transcripts and the Goblins tcp captures. */
export function loadRecordedStreams(): RecordedStream[] {
  const transcripts = JSON.parse(readFileSync(vectorFile('transcripts/index.json'), 'utf8')) as { transcripts: Part[] };
  const goblins = JSON.parse(readFileSync(vectorFile('goblins/index.json'), 'utf8')) as {
    captures: (Part & { name: string; netlayer: string; sessions?: Part[] })[];
  };
  const streams = fromParts('transcripts', 'transcripts', transcripts.transcripts);
  for (const capture of goblins.captures) {
    if (capture.netlayer !== 'tcp-testing-only') continue;
    streams.push(...fromParts('goblins', capture.name, capture.sessions ?? [capture]));
  }
  return streams;
}

/** ASCII/latin1 string to bytes. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A canonical Syrup record `<3'msg N+ LEN:payload>` carrying a sequence number, so tests can
 * check order and integrity.
 */
export function numbered(n: number, payloadLength = n % 50): Uint8Array {
  const payload = new Uint8Array(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = (n + i * 31) & 0xff;
  return concat([bytes(`<3'msg${n}+${payloadLength}:`), payload, bytes('>')]);
}

/** What a connection reported. */
export interface Recorder {
  messages: Uint8Array[];
  errors: Error[];
  closes: (Error | undefined)[];
  /** Every event kind in order: 'message' | 'error' | 'close' (drains are only counted). */
  order: string[];
  /** How many times `drain` ran. */
  drains: number;
  /** Resolves when `predicate` holds (checked after each event), or rejects after `ms`. */
  until(predicate: () => boolean, ms?: number): Promise<void>;
}

/** Installs recording handlers on `conn`. */
export function record(conn: Connection): Recorder {
  const waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.predicate()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const rec: Recorder = {
    messages: [],
    errors: [],
    closes: [],
    order: [],
    drains: 0,
    until(predicate, ms = 5000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for connection events')), ms);
        waiters.push({
          predicate,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
  conn.setHandlers({
    message(b) {
      rec.messages.push(b);
      rec.order.push('message');
      check();
    },
    error(e) {
      rec.errors.push(e);
      rec.order.push('error');
      check();
    },
    close(e) {
      rec.closes.push(e);
      rec.order.push('close');
      check();
    },
    drain() {
      rec.drains++;
      check();
    },
  });
  return rec;
}

/** Accepted connections, resolved one by one. */
export function acceptor(n: { accept(cb: (c: Connection) => void): void }): () => Promise<Connection> {
  const queue: Connection[] = [];
  const waiting: ((c: Connection) => void)[] = [];
  n.accept((c) => {
    const w = waiting.shift();
    if (w) w(c);
    else queue.push(c);
  });
  return () => {
    const c = queue.shift();
    return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
  };
}

/**
 * Dials `server` from `client` and waits for the accepted end (calls `server.accept`, so use
 * {@link acceptor} instead when the test needs more connections). Checks `outgoing` on both ends.
 * @returns `[dialled end, accepted end]`.
 */
export async function dialPair<C extends Connection>(
  client: { connect(locator: Netlayer['location']): Promise<C> },
  server: Netlayer,
): Promise<[C, Connection]> {
  const next = acceptor(server);
  const dialled = await client.connect(server.location);
  const accepted = await next();
  expect(dialled.outgoing).toBe(true);
  expect(accepted.outgoing).toBe(false);
  return [dialled, accepted];
}

/** Lets pending microtasks and one macrotask run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
