/**
 * A loopback TCP proxy for failure tests: it can freeze (stop forwarding both ways while
 * keeping every socket open: a partition, or a peer that froze) and hold back the bytes
 * towards the client for a while (a slow reader).
 */
import { createServer, connect, type Socket } from 'node:net';

export interface Proxy {
  readonly port: number;
  /** Stop forwarding in both directions; sockets stay open. */
  freeze(): void;
  /** Stop reading from the server side for `ms` (its output backs up), then resume. */
  holdServerOutput(ms: number): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const pairs: Array<[Socket, Socket]> = [];
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    pairs.push([client, upstream]);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
      from.on('end', () => !frozen && to.end());
      from.on('error', () => to.destroy());
    };
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    freeze: () => {
      frozen = true;
    },
    holdServerOutput(ms: number) {
      for (const [, upstream] of pairs) upstream.pause();
      setTimeout(() => pairs.forEach(([, upstream]) => upstream.resume()), ms);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
