/**
 * Scripted stand-ins for tor, for unit tests of the onion netlayer: a control port that
 * answers with canned lines (each command can be overridden to misbehave) and a SOCKS5 port
 * that replies with chosen codes or forwards to the onion service's local target. Loopback only.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';

/** A v3 service ID for tests (format only). */
export const FAKE_ID = 'a'.repeat(55) + 'd';
/** A private key for tests (format only). */
export const FAKE_KEY = `ED25519-V3:${'Q'.repeat(86)}==`;

/** Answers one control command: write lines with `socket.write`; return `false` to fall back to the default. */
export type ControlScript = (line: string, socket: Socket, fake: FakeControl) => boolean | void;

/** A fake control port. */
export interface FakeControl {
  readonly port: number;
  /** Every command line received, in order. */
  readonly commands: string[];
  /** The local target of the last ADD_ONION (`127.0.0.1:P` or `unix:/path`). */
  target: string | undefined;
  /** Sends `650 HS_DESC UPLOAD` then `UPLOADED` for `id` to every connection. */
  publish(id?: string): void;
  /** Connections currently open. */
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

/**
 * Starts a fake control port. By default it behaves like a tor with null authentication that
 * publishes every ADD_ONION at once (`autoPublish`).
 */
export async function fakeControl(script: ControlScript = () => false, options: { autoPublish?: boolean; methods?: string } = {}): Promise<FakeControl> {
  const { autoPublish = true, methods = 'NULL' } = options;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\r\n'); nl !== -1; nl = buf.indexOf('\r\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        fake.commands.push(line);
        if (script(line, socket, fake) === true || socket.destroyed) continue;
        const verb = line.split(' ')[0];
        if (verb === 'PROTOCOLINFO') socket.write(`250-PROTOCOLINFO 1\r\n250-AUTH METHODS=${methods}\r\n250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n`);
        else if (verb === 'ADD_ONION') {
          fake.target = /Port=9045,(\S+)/.exec(line)?.[1];
          const restoring = line.startsWith('ADD_ONION ED25519-V3:');
          socket.write(`250-ServiceID=${FAKE_ID}\r\n${restoring ? '' : `250-PrivateKey=${FAKE_KEY}\r\n`}250 OK\r\n`);
          if (autoPublish) setTimeout(() => fake.publish(), 5);
        } else if (verb === 'QUIT') socket.end('250 closing connection\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  const fake: FakeControl = {
    port: await listen(server),
    commands: [],
    target: undefined,
    sockets,
    publish(id = FAKE_ID) {
      for (const s of sockets) {
        s.write(`650 HS_DESC UPLOAD ${id} UNKNOWN $AAAA~relay1 descid\r\n650 HS_DESC UPLOADED ${id} UNKNOWN $AAAA~relay1\r\n`);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** How a fake SOCKS port answers a CONNECT. */
export type SocksBehaviour =
  /** Reply success and forward to the fake control's last ADD_ONION target. */
  | { kind: 'forward'; control: FakeControl; extra?: Uint8Array }
  /** Reply `05 <code> 00 01 0.0.0.0:0`. */
  | { kind: 'refuse'; code: number }
  /** Write these bytes instead of a method reply. */
  | { kind: 'raw'; bytes: Uint8Array }
  /** Answer the greeting, then say nothing. */
  | { kind: 'silent' }
  /** Answer the greeting, then close. */
  | { kind: 'hang-up' };

/** A fake SOCKS5 port. */
export interface FakeSocks {
  readonly port: number;
  /** The CONNECT requests received (bytes after the greeting). */
  readonly requests: Uint8Array[];
  close(): Promise<void>;
}

/** Starts a fake SOCKS5 port on 127.0.0.1, or on the Unix socket `path`. */
export async function fakeSocks(behaviour: SocksBehaviour, path?: string): Promise<FakeSocks> {
  const requests: Uint8Array[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'done' = 'greeting';
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting' && buf.length >= 3) {
        buf = buf.subarray(3);
        stage = 'request';
        if (behaviour.kind === 'raw') {
          socket.write(behaviour.bytes);
          return;
        }
        socket.write(Buffer.from([5, 0]));
        if (behaviour.kind === 'hang-up') socket.destroy();
      }
      if (stage === 'request' && buf.length >= 5 && buf.length >= 7 + buf[4]!) {
        const request = buf.subarray(0, 7 + buf[4]!);
        requests.push(new Uint8Array(request));
        buf = buf.subarray(request.length);
        stage = 'done';
        if (behaviour.kind === 'refuse') socket.write(Buffer.from([5, behaviour.code, 0, 1, 0, 0, 0, 0, 0, 0]));
        else if (behaviour.kind === 'forward') {
          socket.off('data', onData);
          const [host, port] = behaviour.control.target!.split(':');
          const upstream = netConnect({ host: host!, port: Number(port) }, () => {
            const reply = Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]);
            socket.write(behaviour.extra ? Buffer.concat([reply, behaviour.extra]) : reply);
            if (buf.length > 0) upstream.write(buf);
            socket.pipe(upstream).pipe(socket);
          });
          upstream.on('error', () => socket.destroy());
          socket.on('close', () => upstream.destroy());
          upstream.on('close', () => socket.destroy());
        }
      }
    };
    socket.on('data', onData);
  });
  let port = 0;
  if (path === undefined) port = await listen(server);
  else await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
