/**
 * The session's part of the value codec: references out (exports, descriptors of the peer's
 * own objects, handoffs) and descriptors in (imports, answers, signed envelopes).
 * @module
 */
import { ModelError, isPromise, type RefHooks } from '../model/index.js';
import type { SyrupRecord } from '../syrup/types.js';
import { DESCRIPTORS, encodeDesc, MAX_POSITION } from './ops.js';
import { makePresence, makeRemotePromise, refInfo } from './refs.js';
import type { CaptpSession } from './session.js';

const finalizers = new FinalizationRegistry<{ session: WeakRef<CaptpSession>; pos: number; token: object }>((held) => {
  const session = held.session.deref();
  if (!session || !session.isActive) return;
  const count = session.imports.drop(held.pos, held.token);
  if (count > 0) session.gc.exports(held.pos, count);
});

function descPos(r: SyrupRecord): number {
  const f = r.fields;
  if (f.length !== 1 || typeof f[0] !== 'bigint' || f[0] < 0n || f[0] > BigInt(MAX_POSITION)) {
    throw new ModelError(`<${r.labelName}> needs one position ≥ 0`);
  }
  return Number(f[0]);
}

/** Build the {@link RefHooks} of `session`. */
export function makeRefHooks(session: CaptpSession): RefHooks {
  const sessionRef = new WeakRef(session);
  const importObject = (pos: number): object => {
    const existing = session.imports.take(pos);
    if (existing) return existing;
    const presence = makePresence(session, pos);
    const token = session.imports.put(pos, presence);
    if (pos !== 0) finalizers.register(presence, { session: sessionRef, pos, token });
    return presence;
  };
  const importPromise = (pos: number): object => {
    const existing = session.imports.take(pos);
    if (existing) return existing;
    const { promise, settler } = makeRemotePromise(session, 'import-promise', pos);
    const token = session.imports.put(pos, promise);
    session.remotePromises.add(settler);
    // Learn the settlement, then stop importing the promise (report its count): once the
    // message that carried it has passed its checks.
    session.defer(() =>
      session.listen({ kind: 'export', pos }, settler, () => {
        session.remotePromises.delete(settler);
        const count = session.imports.drop(pos, token);
        if (count > 0) session.gc.exports(pos, count);
      }),
    );
    return promise;
  };
  return {
    isKnownRef: (v) => refInfo.has(v),
    encodeRef(v) {
      const info = refInfo.get(v);
      // A settled answer or imported promise may already be released: send it as a promise of ours.
      if (info && info.session === session && !(info.kind !== 'import-object' && info.settled)) {
        return encodeDesc(info.kind === 'answer' ? 'answer' : 'export', info.pos);
      }
      if (info && info.session !== session && info.kind === 'import-object' && session.host.encodeForeign) {
        const give = session.host.encodeForeign(session, v, info);
        if (give !== undefined) return give;
      }
      const pos = session.exports.exportValue(v);
      return encodeDesc(isPromise(v) ? 'import-promise' : 'import-object', pos);
    },
    decodeRef(r) {
      const name = r.labelName!;
      if (Object.hasOwn(DESCRIPTORS, name)) {
        const pos = descPos(r);
        switch (DESCRIPTORS[name as keyof typeof DESCRIPTORS]) {
          case 'import-object':
            return { value: importObject(pos) };
          case 'import-promise':
            return { value: importPromise(pos) };
          case 'export':
            if (!session.exports.has(pos)) throw new ModelError(`<desc:export ${pos}> names no export of ours`);
            return { value: session.exports.get(pos) };
          case 'answer': {
            const p = session.answers.get(pos);
            if (!p) throw new ModelError(`<desc:answer ${pos}> names no answer of ours`);
            return { value: p };
          }
        }
      }
      if (name === 'desc:sig-envelope') {
        if (!session.host.decodeSigEnvelope) throw new ModelError('signed envelopes (handoffs) are not supported here');
        return { value: session.host.decodeSigEnvelope(session, r) };
      }
      return undefined;
    },
  };
}
