// Every public options type accepts an explicit `undefined` for each optional field, also
// under exactOptionalPropertyTypes (compiled against dist/*.d.ts by ../exact-optional.test.ts).
import {
  OcapnNode,
  withCallOptions,
  parseSturdyRefUri,
  formatSturdyRefUri,
  listenTcpTestingOnly,
  createTcpTestingOnlyDialer,
  listenWebSocket,
  createWebSocketDialer,
  listenTcpTls,
  createTcpTlsDialer,
  generateTcpTlsIdentity,
  listenOnion,
  createOnionDialer,
  MemoryNetwork,
  type NodeOptions,
  type CallOptions,
  type TcpTestingOnlyOptions,
  type WebSocketOptions,
  type WebSocketTlsOptions,
  type TcpTlsOptions,
  type OnionOptions,
  type OnionDialerOptions,
  type MemoryNetworkOptions,
  type FrameReaderOptions,
  type ConformanceOptions,
} from 'ocapn-ts';
import type { DecodeOptions } from 'ocapn-ts/syrup';
import type { BrowserWebSocketDialerOptions } from 'ocapn-ts/browser';

/** The optional keys of `T`. */
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
/** `T`'s required fields, and every optional one set to `undefined`. */
type AllUndefined<T> = { [K in Exclude<keyof T, OptionalKeys<T>>]: T[K] } & { [K in OptionalKeys<T>]-?: undefined };
/** Compiles only if `T` accepts an explicit `undefined` in every optional field. */
type Accepts<T, _Check extends T = AllUndefined<T> & T> = true;
/** Compiles only if `T` has at least one optional field (so the check above is not vacuous). */
type HasOptional<T> = [OptionalKeys<T>] extends [never] ? false : true;
const yes = <B extends true>(b: B): B => b;

export const checks: true[] = [
  yes<Accepts<NodeOptions>>(true) && yes<HasOptional<NodeOptions>>(true),
  yes<Accepts<NonNullable<NodeOptions['limits']>>>(true) && yes<HasOptional<NonNullable<NodeOptions['limits']>>>(true),
  yes<Accepts<NonNullable<NodeOptions['nodeLimits']>>>(true),
  yes<Accepts<NonNullable<NodeOptions['handoff']>>>(true),
  yes<Accepts<Exclude<NodeOptions['liveness'], false | undefined>>>(true),
  yes<Accepts<NonNullable<Parameters<OcapnNode['enlivenReconnecting']>[1]>>>(true),
  yes<Accepts<CallOptions>>(true) && yes<HasOptional<CallOptions>>(true),
  yes<Accepts<TcpTestingOnlyOptions>>(true) && yes<HasOptional<TcpTestingOnlyOptions>>(true),
  yes<Accepts<WebSocketOptions>>(true) && yes<HasOptional<WebSocketOptions>>(true),
  yes<Accepts<WebSocketTlsOptions>>(true),
  yes<Accepts<TcpTlsOptions>>(true),
  yes<Accepts<OnionOptions>>(true),
  yes<Accepts<OnionDialerOptions>>(true),
  yes<Accepts<MemoryNetworkOptions>>(true),
  yes<Accepts<FrameReaderOptions>>(true),
  yes<Accepts<ConformanceOptions>>(true),
  yes<Accepts<DecodeOptions>>(true),
  yes<Accepts<BrowserWebSocketDialerOptions>>(true),
  yes<Accepts<NonNullable<Parameters<typeof parseSturdyRefUri>[1]>>>(true),
  yes<Accepts<NonNullable<Parameters<typeof formatSturdyRefUri>[1]>>>(true),
  yes<Accepts<NonNullable<Parameters<typeof generateTcpTlsIdentity>[0]>>>(true),
];

// The same, written as a user would (never run: type-checked only).
export async function asWritten(timeout: number | undefined): Promise<void> {
  const node = new OcapnNode({
    netlayers: [await listenTcpTestingOnly({ host: undefined, port: undefined, maxMessageBytes: undefined })],
    profile: undefined,
    callTimeoutMs: timeout,
    limits: { maxQuestions: undefined },
    nodeLimits: { maxSessions: undefined },
    handoff: { maxGiftsPerSession: undefined },
    liveness: { timeoutMs: undefined },
    tap: undefined,
  });
  const ref = await node.enlivenReconnecting('ocapn://x.tcp-testing-only/s/AAAA', { maxAttempts: undefined, onStateChange: undefined });
  withCallOptions(ref, { timeoutMs: undefined, signal: undefined });
  parseSturdyRefUri('ocapn://x.tcp-testing-only/s/AAAA', { swissEncoding: undefined, maxLength: undefined });
  createTcpTestingOnlyDialer({ connectTimeoutMs: undefined });
  await listenWebSocket({ keyPair: undefined, url: undefined, tls: { ca: undefined, rejectUnauthorized: undefined } });
  createWebSocketDialer({ mutualPeerAuth: undefined });
  await listenTcpTls({ key: undefined, cert: undefined });
  await createTcpTlsDialer({ handshakeTimeoutMs: undefined });
  await listenOnion({ privateKey: undefined });
  createOnionDialer({ socks: undefined });
  new MemoryNetwork({ deliver: undefined });
}
