/**
 * The node every CLI command runs on, and the `--wire` printer.
 * @module
 */
import { OcapnNode, type NodeOptions } from '../node/node.js';
import type { WireEvent } from '../captp/session.js';
import type { Netlayer } from '../netlayers/interface.js';
import { toNotation } from '../syrup/notation.js';
import { UsageError } from './netlayers.js';
import type { ProfileArg } from './profile-args.js';

/** `--wire`: each message on stderr, `>>` sent and `<<` received, with the peer's designator. */
export function wirePrinter(enabled: boolean): ((e: WireEvent) => void) | undefined {
  if (!enabled) return undefined;
  return (e: WireEvent) => {
    const who = e.session.peerLocation ? e.session.peerLocation.designator.slice(0, 12) : '?';
    process.stderr.write(`${e.direction === 'out' ? '>>' : '<<'} ${who} ${toNotation(e.message)}\n`);
  };
}

/**
 * A node on `netlayers` with `profile` (a preset name passed through as given, or a composed
 * profile). A profile the node refuses (TypeError) is a usage error; the netlayers are then
 * closed.
 */
export async function makeNode(netlayers: Netlayer[], profile: ProfileArg, tap: NodeOptions['tap']): Promise<OcapnNode> {
  try {
    return new OcapnNode({ netlayers, profile: profile as NodeOptions['profile'], ...(tap ? { tap } : {}) });
  } catch (e) {
    await Promise.allSettled(netlayers.map((n) => n.close()));
    if (e instanceof TypeError) throw new UsageError(`--profile: ${e.message}`);
    throw e;
  }
}
