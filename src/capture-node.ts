/**
 * Node only (uses node:fs): write a capture file per session into a directory, for
 * `ocapn trace`. The format is described in ./captp/capture.ts and docs/observability.md.
 * @module
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { captureTap } from './captp/capture.js';
import type { WireEvent } from './captp/session.js';

/**
 * A `tap` (see `NodeOptions.tap`) that writes each session's messages to its own file in
 * `dir` (created if missing), named `<our designator, 8 characters>-<process id>-<n>.ocapn-capture`,
 * with a line per message, written synchronously as it crosses the wire. Combine it with
 * other taps with `tapAll`.
 *
 * ```ts
 * const node = new OcapnNode({ netlayers, tap: captureToDirectory('captures') });
 * // later: npx ocapn trace captures/*.ocapn-capture
 * ```
 * @throws TypeError if `dir` is not a non-empty string; the error of `mkdirSync` if the
 *   directory cannot be made.
 */
export function captureToDirectory(dir: string): (event: WireEvent) => void {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('captureToDirectory needs a directory path');
  mkdirSync(dir, { recursive: true });
  return captureTap((session, index) => {
    const name = `${session.host.location.designator.slice(0, 8).replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${index}.ocapn-capture`;
    const fd = openSync(join(dir, name), 'w');
    let open = true;
    return {
      write: (line) => {
        if (open) writeSync(fd, `${line}\n`);
      },
      close: () => {
        if (open) closeSync(fd);
        open = false;
      },
    };
  });
}
