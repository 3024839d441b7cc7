/**
 * The handoff certificates (notes §6.2, §9.1): `desc:handoff-give` and `desc:handoff-receive`,
 * each carried inside a `desc:sig-envelope`. Shapes come from ../captp/ops.ts (SIGNED_SHAPES).
 *
 * The `receiver-key` and the envelope signatures are read in either generation of forms
 * (src/crypto/forms.ts): the legacy lists or, since ocapn/ocapn PR #288 (spec 2026-09), plain
 * ByteArrays; the certificates carry no crypto-version of their own (the spec's certificate
 * fields refer to its Cryptography section, which #288 changed). The gifter and receiver write
 * them in their session's forms (`CaptpSession.crypto`).
 * @module
 */
import { SyrupRecord, type SyrupValue } from '../syrup/types.js';
import { label, SIGNED_SHAPES } from '../captp/ops.js';
import { SigEnvelope } from '../model/index.js';
import { peerLocatorFromSyrup } from '../locator/index.js';
import type { PeerLocator } from '../locator/types.js';
import { publicKeyFromAnyForm, signatureFromAnyForm } from '../crypto/index.js';

/** A certificate that does not have its declared shape. */
export class HandoffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoffError';
  }
}

/** A decoded `desc:handoff-give`. */
export interface HandoffGive {
  readonly record: SyrupRecord;
  readonly receiverKey: Uint8Array;
  readonly exporterLocation: PeerLocator;
  readonly session: Uint8Array;
  readonly gifterSide: Uint8Array;
  readonly giftId: Uint8Array;
}

/** A decoded `desc:handoff-receive`. */
export interface HandoffReceive {
  readonly record: SyrupRecord;
  readonly receivingSession: Uint8Array;
  readonly receivingSide: Uint8Array;
  readonly handoffCount: bigint;
  readonly signedGive: SigEnvelope;
}

function fieldsOf(v: SyrupValue, name: keyof typeof SIGNED_SHAPES): readonly SyrupValue[] {
  const want = SIGNED_SHAPES[name].length;
  if (!(v instanceof SyrupRecord) || v.labelName !== name || v.fields.length !== want) {
    throw new HandoffError(`expected <${name}> with ${want} fields`);
  }
  return v.fields;
}

function bytes(v: SyrupValue, what: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array) || (length !== undefined && v.length !== length)) {
    throw new HandoffError(`${what} must be a ByteArray${length !== undefined ? ` of ${length} bytes` : ''}`);
  }
  return v;
}

/** Split a `desc:sig-envelope` record into the signed record and the 64-byte signature. */
export function openEnvelope(v: SyrupValue | SigEnvelope): { signed: SyrupRecord; signature: Uint8Array; envelope: SigEnvelope } {
  const rec = v instanceof SigEnvelope ? v.toSyrup() : v;
  const [signed, sig] = fieldsOf(rec, 'desc:sig-envelope');
  if (!(signed instanceof SyrupRecord)) throw new HandoffError('a sig-envelope must hold a record');
  let signature: Uint8Array;
  try {
    signature = signatureFromAnyForm(sig);
  } catch (e) {
    throw new HandoffError(`bad envelope signature: ${(e as Error).message}`);
  }
  return { signed, signature, envelope: v instanceof SigEnvelope ? v : new SigEnvelope(signed, sig) };
}

/** Parse a give record. Gift ids of any length are accepted (the suite uses 7 bytes; notes §13). */
export function parseGive(rec: SyrupRecord): HandoffGive {
  const [receiverKey, exporterLocation, session, gifterSide, giftId] = fieldsOf(rec, 'desc:handoff-give');
  try {
    return {
      record: rec,
      receiverKey: publicKeyFromAnyForm(receiverKey),
      exporterLocation: peerLocatorFromSyrup(exporterLocation),
      session: bytes(session, 'give session', 32),
      gifterSide: bytes(gifterSide, 'give gifter-side', 32),
      giftId: bytes(giftId, 'give gift-id'),
    };
  } catch (e) {
    throw e instanceof HandoffError ? e : new HandoffError(`bad handoff-give: ${(e as Error).message}`);
  }
}

/** Parse a receive record (its signed give is checked by the caller). */
export function parseReceive(rec: SyrupRecord): HandoffReceive {
  const [receivingSession, receivingSide, count, signedGive] = fieldsOf(rec, 'desc:handoff-receive');
  if (typeof count !== 'bigint' || count < 0n) throw new HandoffError('handoff-count must be an integer ≥ 0');
  const { envelope } = openEnvelope(signedGive);
  return {
    record: rec,
    receivingSession: bytes(receivingSession, 'receiving-session', 32),
    receivingSide: bytes(receivingSide, 'receiving-side', 32),
    handoffCount: count,
    signedGive: envelope,
  };
}

/** Build a give record (notes §9.1 field order). */
export function makeGive(g: { receiverKey: SyrupValue; exporterLocation: SyrupValue; session: Uint8Array; gifterSide: Uint8Array; giftId: Uint8Array }): SyrupRecord {
  return new SyrupRecord(label('desc:handoff-give'), [g.receiverKey, g.exporterLocation, g.session, g.gifterSide, g.giftId]);
}

/** Build a receive record (notes §9.1 field order). */
export function makeReceive(r: { receivingSession: Uint8Array; receivingSide: Uint8Array; handoffCount: bigint; signedGive: SigEnvelope }): SyrupRecord {
  return new SyrupRecord(label('desc:handoff-receive'), [r.receivingSession, r.receivingSide, r.handoffCount, r.signedGive.toSyrup()]);
}
