/**
 * Onion services over a {@link TorControl}: `ADD_ONION` (new key or a saved one), waiting for
 * the descriptor upload (`650 HS_DESC UPLOADED <id>`), `DEL_ONION`. Notes §10.4, §10.4.1.
 * @module
 */
import { TorControlError, type TorControl } from './control.js';

/** The virtual port OCapN onion services listen on (notes §10.4). */
export const OCAPN_ONION_PORT = 9045;

/** A v3 onion service ID: 56 base32 characters, the last one `d` (version 3). */
export const SERVICE_ID_PATTERN = /^[a-z2-7]{55}d$/;

/** A saved v3 private key as ADD_ONION prints it: `ED25519-V3:` then 88 base64 characters. */
export const PRIVATE_KEY_PATTERN = /^ED25519-V3:[A-Za-z0-9+/]{86}==$/;

/** What ADD_ONION gave. */
export interface AddedOnion {
  /** The 56-character service ID (without `.onion`). */
  readonly serviceId: string;
  /** `ED25519-V3:<base64>`: the key to restore the same service ID later. */
  readonly privateKey: string;
}

/**
 * Adds an onion service that forwards port 9045 to `target` and waits until tor has
 * uploaded its descriptor (before that, dialling it fails and tor avoids the directories for
 * a while).
 * @param target `127.0.0.1:PORT` or `unix:/path`.
 * @param privateKey a saved key to restore, or `undefined` for a new one.
 * @param publishTimeoutMs how long to wait for the first `HS_DESC UPLOADED`.
 * @throws TorControlError when tor refuses, replies without a ServiceID, or nothing is
 *   uploaded in time (the service is then removed again).
 */
export async function addOnionService(control: TorControl, target: string, privateKey: string | undefined, publishTimeoutMs: number): Promise<AddedOnion> {
  await control.command('SETEVENTS HS_DESC');
  const uploaded = new Set<string>();
  // `HS_DESC UPLOAD <id> <auth> <hsdir> …` starts an upload, `HS_DESC UPLOADED <id> <auth>
  // <hsdir>` ends one. Only an upload we saw start counts: after a restart with the same key,
  // uploads of the previous service (its intro points gone) may still finish and be reported.
  const started = new Set<string>();
  let lastFailure: string | undefined;
  let wake: (() => void) | undefined;
  let ended: Error | undefined;
  void control.closed.then((error) => {
    ended = error ?? new Error('closed by us');
    wake?.();
  });
  const stop = control.onEvent((event) => {
    const words = (event.lines[0] ?? '').split(' ');
    if (words[0] !== 'HS_DESC' || words[2] === undefined) return;
    const hsdir = `${words[2]} ${words[4] ?? ''}`;
    if (words[1] === 'UPLOAD') started.add(hsdir);
    else if (words[1] === 'UPLOADED' && started.has(hsdir)) uploaded.add(words[2]);
    else if (words[1] === 'FAILED') lastFailure = /REASON=(\S+)/.exec(event.lines[0]!)?.[1] ?? 'no reason given';
    wake?.();
  });
  try {
    const reply = await control.command(`ADD_ONION ${privateKey ?? 'NEW:ED25519-V3'} Port=${OCAPN_ONION_PORT},${target}`);
    const serviceId = valueOf(reply.lines, 'ServiceID');
    if (serviceId === undefined || !SERVICE_ID_PATTERN.test(serviceId)) {
      throw new TorControlError(`Tor's ADD_ONION reply at ${control.where} holds no v3 ServiceID: ${JSON.stringify(reply.lines.join(' / ').slice(0, 200))}`);
    }
    const key = privateKey ?? valueOf(reply.lines, 'PrivateKey');
    if (key === undefined || !PRIVATE_KEY_PATTERN.test(key)) {
      await deleteOnionService(control, serviceId);
      throw new TorControlError(`Tor's ADD_ONION reply at ${control.where} holds no ED25519-V3 PrivateKey`);
    }
    const deadline = Date.now() + publishTimeoutMs;
    while (!uploaded.has(serviceId)) {
      if (ended !== undefined) {
        throw new TorControlError(`Tor's control connection at ${control.where} ended before onion service ${serviceId} was published: ${ended.message}`, undefined, { cause: ended });
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        await deleteOnionService(control, serviceId);
        const why = lastFailure === undefined ? 'no upload reported' : `last upload failed: ${lastFailure}`;
        throw new TorControlError(`tor did not publish onion service ${serviceId} within ${publishTimeoutMs} ms (${why}); is tor bootstrapped (GETINFO status/bootstrap-phase)?`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    return { serviceId, privateKey: key };
  } finally {
    stop();
  }
}

/** `DEL_ONION <id>`; errors (tor gone, service already gone) are ignored. */
export async function deleteOnionService(control: TorControl, serviceId: string): Promise<void> {
  try {
    await control.command(`DEL_ONION ${serviceId}`);
  } catch {
    /* the service dies with the control connection anyway */
  }
}

function valueOf(lines: readonly string[], key: string): string | undefined {
  const line = lines.find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}
