/** Helpers for the websocket netlayer tests: recorded Goblins vectors, raw clients and fake servers. */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import type { Connection } from '../../src/netlayers/interface.js';
import { encodePeerAuth, type WebSocketNetlayer } from '../../src/netlayers/websocket/index.js';

function vectorFile(path: string): URL {
  return new URL(`../../../shared/vectors/${path}`, import.meta.url);
}

/** The Goblins 0.18 ws-demo capture: frames per direction, the raw TCP bytes and index details. */
export interface WsDemo {
  clientFrames: Uint8Array[];
  serverFrames: Uint8Array[];
  clientTcp: Uint8Array;
  /** The ws-demo entry of goblins/index.json. */
  capture: {
    http_upgrade: { client_to_server: string; server_to_client: string };
    peer_auth: { designator: string; url_hint: string; client_nonce_length: number };
    start_session: { server: { pubkey_q: string } };
    frame_stats: { client_to_server: { binary_frames: number }; server_to_client: { binary_frames: number } };
  };
}

/** Loads the recorded Goblins WebSocket session. */
export function loadWsDemo(): WsDemo {
  const index = JSON.parse(readFileSync(vectorFile('goblins/index.json'), 'utf8')) as { captures: ({ name: string } & Record<string, any>)[] };
  const capture = index.captures.find((c) => c.name === 'ws-demo')!;
  const frames = (file: string): Uint8Array[] =>
    (JSON.parse(readFileSync(vectorFile(`goblins/${file}`), 'utf8')) as string[]).map((h) => new Uint8Array(Buffer.from(h, 'hex')));
  return {
    clientFrames: frames(capture.files.client_to_server),
    serverFrames: frames(capture.files.server_to_client),
    clientTcp: new Uint8Array(readFileSync(vectorFile(`goblins/${capture.files.client_to_server_tcp}`))),
    capture: capture as unknown as WsDemo['capture'],
  };
}

/** Port of a listening netlayer, from its url hint. */
export function portOf(n: WebSocketNetlayer): number {
  return Number(new URL((n.location.hints as Record<string, string>).url).port);
}

/** A plain TCP socket to 127.0.0.1:`port`. */
export function tcpClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects everything a TCP socket receives until it ends. */
export function collect(socket: Socket): { data: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { data: () => Buffer.concat(chunks), ended };
}

/** Splits unmasked server frames out of a byte stream (after the HTTP response). */
export function parseServerFrames(bytes: Uint8Array): { opcode: number; payload: Uint8Array }[] {
  const out: { opcode: number; payload: Uint8Array }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at] & 0x0f;
    let len = bytes[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) {
      len = (bytes[at + 2] << 8) | bytes[at + 3];
      head = 4;
    } else if (len === 127) {
      len = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8).getBigUint64(0));
      head = 10;
    }
    if (at + head + len > bytes.length) break;
    out.push({ opcode, payload: bytes.slice(at + head, at + head + len) });
    at += head + len;
  }
  return out;
}

/** A raw `ws` client to `server`, open, with the upgrade response's headers. `ask`: send `x-ocapn-peer-auth: v1`. */
export async function rawClient(server: WebSocketNetlayer, ask = false): Promise<{ ws: WsSocket; headers: IncomingHttpHeaders; closed: Promise<number> }> {
  const ws = new WsSocket(`ws://127.0.0.1:${portOf(server)}`, { headers: ask ? { 'x-ocapn-peer-auth': 'v1' } : {} });
  ws.on('error', () => undefined);
  let headers: IncomingHttpHeaders = {};
  ws.once('upgrade', (res) => (headers = res.headers));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, headers, closed };
}

/**
 * A `ws` client that runs the client half of peer-auth by hand (it does not check the
 * answer) and then gives raw access, to send frames our netlayer would never send. With
 * `ask`, it asks for mutual proof (and `offered` is the server's nonce, if any) but sends
 * no proof itself; `nonce` is its peer-auth nonce (default 32 × 7).
 */
export async function rawAuthedClient(
  server: WebSocketNetlayer,
  options: { ask?: boolean; nonce?: Uint8Array } = {},
): Promise<{ ws: WsSocket; answer: Uint8Array; sent: Uint8Array; received: Uint8Array[]; closed: Promise<number>; offered: Uint8Array | undefined }> {
  const { ws, headers, closed } = await rawClient(server, options.ask);
  const received: Uint8Array[] = [];
  const header = headers['x-ocapn-peer-auth-nonce'];
  const offered = typeof header === 'string' ? new Uint8Array(Buffer.from(header, 'base64url')) : undefined;
  const sent = encodePeerAuth(options.nonce ?? new Uint8Array(32).fill(7));
  const answer = await new Promise<Uint8Array>((resolve) => {
    ws.once('message', (data: Buffer) => {
      resolve(new Uint8Array(data));
      ws.on('message', (d: Buffer) => received.push(new Uint8Array(d)));
    });
    ws.send(sent);
  });
  return { ws, answer, sent, received, closed, offered };
}

/**
 * A fake websocket server (plain `ws`, like Goblins 0.18's: it ignores unknown request
 * headers) whose first answer is computed by `answer` from the client's first frame
 * (`undefined`: never answer). `responseHeaders` are added to every upgrade response.
 * Returns its URL, each connection's first frame, every frame (all connections, in order)
 * and each upgrade request's headers.
 */
export async function fakeServer(
  answer: (first: Uint8Array) => Uint8Array | undefined,
  responseHeaders: string[] = [],
): Promise<{ url: string; close: () => Promise<void>; firstFrames: Uint8Array[]; frames: Uint8Array[]; requests: IncomingHttpHeaders[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const firstFrames: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  const requests: IncomingHttpHeaders[] = [];
  wss.on('headers', (headers) => headers.push(...responseHeaders));
  wss.on('connection', (ws, req) => {
    requests.push(req.headers);
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
    ws.once('message', (data: Buffer) => {
      const first = new Uint8Array(data);
      firstFrames.push(first);
      const reply = answer(first);
      if (reply !== undefined) ws.send(reply);
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    firstFrames,
    frames,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
