/**
 * A scripted handoff scene for the exporter's side (notes §9.4): a real OcapnNode E on the
 * memory netlayer, a byte-level gifter G (session G–E) and a byte-level receiver R (session
 * E–R), both {@link RawPeer}s. R's "G–R" key is a key we make up: R signs its receives with
 * it, and G's gives name it as receiver-key. No CapTP engine of ours runs on G or R.
 */
import { OcapnNode, MemoryNetwork, type HandoffOptions, type NodeOptions } from '../../src/index.js';
import { toNotation, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { keyPairFromSeed, publicId, publicKeyToSyrup, sign, signatureToSyrup, type SessionKeyPair } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { SigEnvelope } from '../../src/model/index.js';
import { makeGive, makeReceive } from '../../src/handoff/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';

/** A fixed 32-byte seed made of one repeated byte. */
export const seed = (b: number): Uint8Array => new Uint8Array(32).fill(b);
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A 32-byte gift id made of one repeated byte. */
export const giftId = (b: number): Uint8Array => new Uint8Array(32).fill(b);

/** What a resolver was told: `fulfill` or `break`, with the notation of the value. */
export interface Resolution {
  readonly kind: 'fulfill' | 'break';
  readonly value: SyrupValue;
  readonly text: string;
}

/** A RawPeer with its own answer positions (from 0) and resolver exports (from 1). */
export class Scripted {
  private nextAnswer = 0n;
  private nextExport = 1n;
  private readonly taken = new Set<SyrupRecord>();

  constructor(readonly peer: RawPeer) {}

  get keyPair(): SessionKeyPair {
    return this.peer.keyPair;
  }
  get sessionId(): Uint8Array {
    return this.peer.sessionId!;
  }
  get publicId(): Uint8Array {
    return publicId(this.peer.keyPair.publicKey);
  }

  /** `<op:deliver to args answer-pos <desc:import-object k>>`; returns both positions. */
  call(to: SyrupRecord, args: SyrupValue[]): { answerPos: bigint; resolverPos: bigint } {
    const answerPos = this.nextAnswer++;
    const resolverPos = this.nextExport++;
    this.peer.send(rec('op:deliver', to, args, answerPos, rec('desc:import-object', resolverPos)));
    return { answerPos, resolverPos };
  }

  /** `<op:deliver to args f f>`. */
  sendOnly(to: SyrupRecord, args: SyrupValue[]): void {
    this.peer.send(rec('op:deliver', to, args, false, false));
  }

  /** Wait for the peer node to fulfill or break our resolver at `resolverPos`. */
  async resolution(resolverPos: bigint, ms = 2000): Promise<Resolution> {
    const m = await this.waitFor((r) => isResolution(r, resolverPos), ms);
    const [verb, value] = m.fields[1] as SyrupValue[];
    return { kind: (verb as { name: string }).name as 'fulfill' | 'break', value, text: toNotation(value) };
  }

  /** Whether our resolver at `resolverPos` has been told anything yet (no waiting). */
  resolved(resolverPos: bigint): boolean {
    return this.peer.received.some((r) => isResolution(r, resolverPos));
  }

  /** The first message not yet taken that matches `pred`, waiting up to `ms`. */
  async waitFor(pred: (m: SyrupRecord) => boolean, ms = 2000): Promise<SyrupRecord> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.peer.received.find((m) => !this.taken.has(m) && pred(m));
      if (hit) {
        this.taken.add(hit);
        return hit;
      }
      await this.peer.next(Math.max(1, deadline - Date.now()));
    }
  }

  /** `fetch` `swiss` from the bootstrap; returns the export position the node gave us. */
  async fetch(swiss: string): Promise<bigint> {
    const { resolverPos } = this.call(rec('desc:export', 0n), [sym('fetch'), ascii(swiss)]);
    const r = await this.resolution(resolverPos);
    if (r.kind !== 'fulfill' || !(r.value instanceof SyrupRecord) || r.value.labelName !== 'desc:import-object') {
      throw new Error(`fetch ${swiss} failed: ${r.text}`);
    }
    return r.value.fields[0] as bigint;
  }

  /** A normal call: fetch the `carol` object and say hello; returns Carol's answer text. */
  async normalCall(who: string): Promise<string> {
    const pos = await this.fetch('carol');
    const { resolverPos } = this.call(rec('desc:export', pos), [sym('hello'), who]);
    return (await this.resolution(resolverPos)).text;
  }

  /** Whether the node aborted or closed this session. */
  get ended(): boolean {
    return this.peer.closed || this.peer.received.some((m) => m.labelName === 'op:abort');
  }
}

function isResolution(r: SyrupRecord, resolverPos: bigint): boolean {
  if (r.labelName !== 'op:deliver') return false;
  const to = r.fields[0];
  const args = r.fields[1];
  return (
    to instanceof SyrupRecord &&
    to.labelName === 'desc:export' &&
    to.fields[0] === resolverPos &&
    Array.isArray(args) &&
    (args[0] as { name?: string })?.name !== undefined &&
    ['fulfill', 'break'].includes((args[0] as { name: string }).name)
  );
}

/** Carol, hosted on E under swiss `carol`; `gift-1`… are further objects for gifts. */
export const carol = { hello: (who: string) => `hello ${who}, I am Carol` };

/** The scene: node E, gifter G (on G–E) and receiver R (on E–R), all handshaken. */
export interface Scene {
  readonly net: MemoryNetwork;
  readonly E: OcapnNode;
  readonly G: Scripted;
  readonly R: Scripted;
  /** R's key in the (imaginary) G–R session: the give's receiver-key, the receive's signer. */
  readonly grKey: SessionKeyPair;
  /** E's export position (on G–E) of the object G will give. */
  readonly giftPos: bigint;
  /** Dial one more scripted peer to E (another gifter or receiver). */
  dial(name: string, seedByte: number): Promise<Scripted>;
  close(): Promise<void>;
}

/** Gift objects: each answers `hello` with its own name. */
export const giftObject = (n: string) => ({ hello: (who: string) => `hello ${who}, I am ${n}` });

/** Make the scene; `node` adds options of E (e.g. `profile: 'endo'` to see break reasons as text). */
export async function scene(handoff?: Partial<HandoffOptions>, node?: Partial<NodeOptions>): Promise<Scene> {
  const net = new MemoryNetwork();
  const E = new OcapnNode({ ...node, netlayers: [net.netlayer('E')], handoff });
  E.register(carol, 'carol');
  E.register(giftObject('the gift'), 'gift');
  const peers: RawPeer[] = [];
  const dial = async (name: string, seedByte: number): Promise<Scripted> => {
    const p = await RawPeer.dial(net.netlayer(name), E.location, seed(seedByte));
    peers.push(p);
    await p.handshake();
    return new Scripted(p);
  };
  const G = await dial('G', 0x47);
  const R = await dial('R', 0x52);
  const giftPos = await G.fetch('gift');
  return {
    net,
    E,
    G,
    R,
    grKey: keyPairFromSeed(seed(0x99)),
    giftPos,
    dial,
    async close() {
      for (const p of peers) p.conn.close();
      await E.close();
    },
  };
}

/** G deposits `<desc:export pos>` under `id` on G–E (fire-and-forget, as every gifter does). */
export function deposit(g: Scripted, id: Uint8Array, pos: bigint): void {
  g.sendOnly(rec('desc:export', 0n), [sym('deposit-gift'), id, rec('desc:export', pos)]);
}

/** Parts of a give, defaulting to a correct one from `g` for exporter `exporter`. */
export interface GiveParts {
  receiverKey?: Uint8Array;
  exporterLocation?: PeerLocator;
  session?: Uint8Array;
  gifterSide?: Uint8Array;
  giftId: Uint8Array;
  /** Key that signs the give (default: G's G–E key). */
  signer?: Uint8Array;
  /** Flip one bit of the signature after signing. */
  corrupt?: boolean;
}

function envelope(signed: SyrupRecord, privateKey: Uint8Array, corrupt = false): SigEnvelope {
  const sig = sign(signed, privateKey);
  if (corrupt) sig[5] ^= 0x01;
  return new SigEnvelope(signed, signatureToSyrup(sig));
}

/** A signed give from gifter `g` (defaults: addressed to `grKey`, naming E, G–E session). */
export function signedGive(s: Scene, g: Scripted, parts: GiveParts): SigEnvelope {
  const give = makeGive({
    receiverKey: publicKeyToSyrup(parts.receiverKey ?? s.grKey.publicKey),
    exporterLocation: peerLocatorToSyrup(parts.exporterLocation ?? s.E.location),
    session: parts.session ?? g.sessionId,
    gifterSide: parts.gifterSide ?? g.publicId,
    giftId: parts.giftId,
  });
  return envelope(give, parts.signer ?? g.keyPair.privateKey, parts.corrupt);
}

/** Parts of a receive, defaulting to a correct one from `r`. */
export interface ReceiveParts {
  receivingSession?: Uint8Array;
  receivingSide?: Uint8Array;
  count: bigint;
  /** Key that signs the receive (default: R's G–R key). */
  signer?: Uint8Array;
  corrupt?: boolean;
}

/** A signed receive from `r` wrapping `give`. */
export function signedReceive(s: Scene, r: Scripted, give: SigEnvelope, parts: ReceiveParts): SigEnvelope {
  const receive = makeReceive({
    receivingSession: parts.receivingSession ?? r.sessionId,
    receivingSide: parts.receivingSide ?? r.publicId,
    handoffCount: parts.count,
    signedGive: give,
  });
  return envelope(receive, parts.signer ?? s.grKey.privateKey, parts.corrupt);
}

/** R sends `withdraw-gift` with an answer position and a resolver. */
export function withdraw(r: Scripted, receive: SigEnvelope): { answerPos: bigint; resolverPos: bigint } {
  return r.call(rec('desc:export', 0n), [sym('withdraw-gift'), receive.toSyrup()]);
}

/** R calls `hello` on the withdraw's answer (pipelined on `<desc:answer n>`); returns the resolver. */
export function helloOnAnswer(r: Scripted, answerPos: bigint, who: string): bigint {
  return r.call(rec('desc:answer', answerPos), [sym('hello'), who]).resolverPos;
}

/** Sleep `ms` (only to let messages that should NOT arrive have a chance to). */
export const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { rec, sym };
