/**
 * The node's events, platform-neutral (no `node:events`): sessions opening and ending.
 * @module
 */
import type { CaptpSession, PeerIdentity } from '../captp/session.js';
import type { SessionClosedError } from '../captp/errors.js';
import type { PeerLocator } from '../locator/types.js';

/** What each node event carries. */
export interface NodeEventMap {
  /** A session finished its handshake and was admitted. */
  'session-open': { readonly session: CaptpSession; readonly peer: PeerLocator; readonly identity: PeerIdentity };
  /**
   * A session ended (an abort either way, the connection closed, liveness, idle, a limit).
   * `peer` is undefined if it ended in its handshake; `error.reason` says why.
   */
  'session-close': { readonly session: CaptpSession; readonly peer: PeerLocator | undefined; readonly error: SessionClosedError };
}

/** A listener of event `K`. */
export type NodeListener<K extends keyof NodeEventMap> = (event: NodeEventMap[K]) => void;

/**
 * Listeners by event name. A listener that throws does not disturb the node or the other
 * listeners: its error is rethrown from a fresh macrotask (as Node does for event listeners).
 */
export class NodeEvents {
  readonly #listeners = new Map<keyof NodeEventMap, Set<(e: never) => void>>();

  /**
   * Call `listener` for each `type` event until the returned function is called.
   * @throws TypeError for an unknown event name or a listener that is not a function.
   */
  on<K extends keyof NodeEventMap>(type: K, listener: NodeListener<K>): () => void {
    if (type !== 'session-open' && type !== 'session-close') throw new TypeError(`unknown node event "${String(type)}" (session-open, session-close)`);
    if (typeof listener !== 'function') throw new TypeError('a node event listener must be a function');
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    const entry = listener as (e: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  emit<K extends keyof NodeEventMap>(type: K, event: NodeEventMap[K]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        (listener as NodeListener<K>)(event);
      } catch (thrown) {
        setTimeout(() => {
          throw thrown;
        }, 0);
      }
    }
  }
}
