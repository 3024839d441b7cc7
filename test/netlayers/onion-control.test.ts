/**
 * The onion netlayer's control-port side against a scripted fake tor (test/netlayers/
 * onion-fakes.ts): the commands it sends, authentication, publishing (resolves only after
 * `HS_DESC UPLOADED`), restore from a saved key, DEL_ONION on close, and a tor that is
 * missing, refuses, stalls or sends oversized or malformed replies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TorControlError, createOnionDialer, listenOnion, type OnionNetlayer, type OnionOptions } from '../../src/netlayers/index.js';
import { FAKE_ID, FAKE_KEY, fakeControl, type FakeControl } from './onion-fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tor(...args: Parameters<typeof fakeControl>): Promise<FakeControl> {
  const fake = await fakeControl(...args);
  cleanup.push(() => fake.close());
  return fake;
}

async function listen(fake: FakeControl, options: OnionOptions = {}): Promise<OnionNetlayer> {
  const n = await listenOnion({ control: { host: '127.0.0.1', port: fake.port }, socks: { host: '127.0.0.1', port: 9 }, ...options });
  cleanup.push(() => n.close());
  return n;
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a !== null ? a.port : 0;
}

function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('onion listen: the control-port conversation', () => {
  it('authenticates, subscribes to HS_DESC, adds a service forwarding 9045 to our local target, and resolves once it is uploaded', async () => {
    const fake = await tor(() => false, { autoPublish: false });
    let settled = false;
    const pending = listen(fake).then((n) => {
      settled = true;
      return n;
    });
    for (let i = 0; i < 200 && fake.target === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false); // ADD_ONION answered, nothing uploaded yet
    fake.publish();
    const n = await pending;
    expect(fake.commands).toEqual(['PROTOCOLINFO 1', 'AUTHENTICATE', 'SETEVENTS HS_DESC', `ADD_ONION NEW:ED25519-V3 Port=9045,${fake.target}`]);
    expect(fake.target).toMatch(/^127\.0\.0\.1:[0-9]+$/);
    expect(n.location).toEqual({ transport: 'onion', designator: FAKE_ID, hints: false });
    expect([n.serviceId, n.privateKey, n.listening, n.authenticates, n.framing]).toEqual([FAKE_ID, FAKE_KEY, true, 'dialled', 'raw']);
  });

  it('restores a saved key (same service ID) and sends DEL_ONION then QUIT on close', async () => {
    const fake = await tor();
    const n = await listen(fake, { privateKey: FAKE_KEY });
    expect(fake.commands[3]).toBe(`ADD_ONION ${FAKE_KEY} Port=9045,${fake.target}`);
    expect(n.privateKey).toBe(FAKE_KEY);
    await n.close();
    expect(fake.commands.slice(-2)).toEqual([`DEL_ONION ${FAKE_ID}`, 'QUIT']);
  });

  it('serves the local target on a Unix socket when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onion-unit-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const fake = await tor();
    await listen(fake, { localTarget: { path: join(dir, 'ocapn.sock') } });
    expect(fake.target).toBe(`unix:${join(dir, 'ocapn.sock')}`);
  });

  it('counts only uploads it saw start: a stale UPLOADED from a previous service does not resolve it', async () => {
    const fake = await tor(
      (line, socket) => {
        if (!line.startsWith('ADD_ONION')) return false;
        socket.write(`250-ServiceID=${FAKE_ID}\r\n250-PrivateKey=${FAKE_KEY}\r\n250 OK\r\n650 HS_DESC UPLOADED ${FAKE_ID} UNKNOWN $BBBB~old\r\n`);
        return true;
      },
      { autoPublish: false },
    );
    const err = await failure(listen(fake, { publishTimeoutMs: 150 }));
    expect(err).toBeInstanceOf(TorControlError);
    expect(err.message).toContain(`did not publish onion service ${FAKE_ID} within 150 ms`);
    expect(fake.commands).toContain(`DEL_ONION ${FAKE_ID}`);
  });

  it('reports the last upload failure when nothing is published in time, and removes the service', async () => {
    const fake = await tor(
      (line, socket) => {
        if (!line.startsWith('ADD_ONION')) return false;
        socket.write(`250-ServiceID=${FAKE_ID}\r\n250-PrivateKey=${FAKE_KEY}\r\n250 OK\r\n650 HS_DESC FAILED ${FAKE_ID} UNKNOWN $AAAA~r1 REASON=UPLOAD_REJECTED\r\n`);
        return true;
      },
      { autoPublish: false },
    );
    const err = await failure(listen(fake, { publishTimeoutMs: 100 }));
    expect(err.message).toContain('last upload failed: UPLOAD_REJECTED');
    expect(fake.commands.at(-2)).toBe(`DEL_ONION ${FAKE_ID}`);
  });
});

describe('onion listen: authentication', () => {
  it('reads the cookie file tor names and sends it in hex', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onion-cookie-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const cookie = Buffer.alloc(32, 0xab);
    writeFileSync(join(dir, 'control_auth_cookie'), cookie);
    const fake = await tor(() => false, { methods: `COOKIE,SAFECOOKIE COOKIEFILE="${join(dir, 'control_auth_cookie')}"` });
    await listen(fake);
    expect(fake.commands[1]).toBe(`AUTHENTICATE ${cookie.toString('hex')}`);
  });

  it('sends a quoted password for HASHEDPASSWORD', async () => {
    const fake = await tor(() => false, { methods: 'HASHEDPASSWORD' });
    await listen(fake, { password: 'se"cret' });
    expect(fake.commands[1]).toBe('AUTHENTICATE "se\\"cret"');
  });

  it('names the methods tor wants when none of ours fits', async () => {
    const fake = await tor(() => false, { methods: 'HASHEDPASSWORD' });
    const err = await failure(listen(fake));
    expect(err).toBeInstanceOf(TorControlError);
    expect(err.message).toContain('accepts authentication methods HASHEDPASSWORD');
  });

  it('a refused AUTHENTICATE is a TorControlError with tor status and text', async () => {
    const fake = await tor((line, socket) => {
      if (line !== 'AUTHENTICATE') return false;
      socket.write('515 Authentication failed: Wrong length on authentication cookie.\r\n');
      return true;
    });
    const err = (await failure(listen(fake))) as TorControlError;
    expect(err).toBeInstanceOf(TorControlError);
    expect(err.status).toBe(515);
    expect(err.message).toContain('Tor refused AUTHENTICATE');
    expect(err.message).toContain('Authentication failed');
  });

  it('a cookie file that cannot be read says which and why', async () => {
    const fake = await tor(() => false, { methods: 'COOKIE COOKIEFILE="/nonexistent/ocapn/control_auth_cookie"' });
    const err = await failure(listen(fake));
    expect(err.message).toContain("cannot read Tor's control cookie /nonexistent/ocapn/control_auth_cookie");
  });
});

describe('onion listen: a tor that is missing or misbehaves', () => {
  it('nothing on the control port: says what to start, and where the docs are', async () => {
    const port = await closedPort();
    const err = await failure(listenOnion({ control: { host: '127.0.0.1', port } }));
    expect(err.message).toContain(`cannot reach Tor's control port at 127.0.0.1:${port}`);
    expect(err.message).toContain(`\`ControlPort ${port}\``);
    expect(err.message).toContain('docs/netlayers.md#onion');
  });

  it('a missing control socket names ControlSocket', async () => {
    const err = await failure(listenOnion({ control: { path: '/nonexistent/ocapn/tor-control-sock' } }));
    expect(err.message).toContain("cannot reach Tor's control port at /nonexistent/ocapn/tor-control-sock (ENOENT)");
    expect(err.message).toContain('ControlSocket unix:/nonexistent/ocapn/tor-control-sock');
  });

  it('a control port that never answers times out (controlTimeoutMs) and closes its end', async () => {
    const fake = await tor(() => true);
    const err = await failure(listen(fake, { controlTimeoutMs: 100 }));
    expect(err.message).toContain('did not answer PROTOCOLINFO within 100 ms');
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.sockets.size).toBe(0);
  });

  it('an oversized line is refused at the limit without waiting for its end', async () => {
    let sent = 0;
    const fake = await tor((line, socket) => {
      if (line !== 'PROTOCOLINFO 1') return false;
      const chunk = 'A'.repeat(4096);
      const timer = setInterval(() => {
        if (socket.destroyed || sent > 1024 * 1024) return clearInterval(timer);
        socket.write(chunk);
        sent += chunk.length;
      }, 1);
      return true;
    });
    const err = await failure(listen(fake));
    expect(err).toBeInstanceOf(TorControlError);
    expect(err.message).toContain('sent a line over 16384 bytes');
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it.each([
    ['a malformed line', 'hello tor\r\n', 'sent a malformed line: "hello tor"'],
    ['a status change inside a reply', '250-AUTH METHODS=NULL\r\n550 OK\r\n', 'changed status inside one reply (250 then 550)'],
    ['too many lines in a reply', '250-x\r\n'.repeat(300), 'a reply of more than 256 lines'],
  ])('%s aborts the control connection with a readable error', async (_name, reply, message) => {
    const fake = await tor((line, socket) => {
      if (line !== 'PROTOCOLINFO 1') return false;
      socket.write(reply);
      return true;
    });
    const err = await failure(listen(fake));
    expect(err).toBeInstanceOf(TorControlError);
    expect(err.message).toContain(message);
  });

  it('an unexpected status on ADD_ONION is reported with its text', async () => {
    const fake = await tor((line, socket) => {
      if (!line.startsWith('ADD_ONION')) return false;
      socket.write('552 Onion address collision\r\n');
      return true;
    });
    const err = (await failure(listen(fake))) as TorControlError;
    expect([err.status, err.message.includes('Tor refused ADD_ONION') && err.message.includes('Onion address collision')]).toEqual([552, true]);
  });

  it('an ADD_ONION reply without a v3 ServiceID is refused', async () => {
    const fake = await tor((line, socket) => {
      if (!line.startsWith('ADD_ONION')) return false;
      socket.write('250-ServiceID=../../etc\r\n250 OK\r\n');
      return true;
    });
    expect((await failure(listen(fake))).message).toContain('holds no v3 ServiceID');
  });

  it('tor closing the control connection while we wait for the upload fails listen', async () => {
    const fake = await tor(
      (line, socket) => {
        if (!line.startsWith('ADD_ONION')) return false;
        socket.write(`250-ServiceID=${FAKE_ID}\r\n250-PrivateKey=${FAKE_KEY}\r\n250 OK\r\n`);
        setTimeout(() => socket.destroy(), 20);
        return true;
      },
      { autoPublish: false },
    );
    const err = await failure(listen(fake, { publishTimeoutMs: 5_000 }));
    expect(err.message).toContain(`ended before onion service ${FAKE_ID} was published`);
  });
});

describe('onion options', () => {
  it.each([
    [{ privateKey: 'ED25519-V3:short' }, RangeError, "privateKey must be 'ED25519-V3:'"],
    [{ privateKey: 42 }, TypeError, 'privateKey must be a string'],
    [{ control: { host: '127.0.0.1' } }, TypeError, 'control must be {host: string, port: number} or {path: string}'],
    [{ control: { host: '127.0.0.1', port: 0 } }, RangeError, 'control.port must be an integer from 1 to 65535'],
    [{ control: { path: '/tmp/a b' } }, RangeError, 'control.path must be a non-empty path without spaces'],
    [{ password: 'a\r\nSIGNAL HALT' }, RangeError, 'password must be a non-empty single-line string'],
    [{ framing: 'json' }, RangeError, 'framing must be one of'],
    [{ connectTimeoutMs: 0 }, RangeError, 'connectTimeoutMs must be an integer from 1'],
  ])('listenOnion(%o) throws', async (options, type, message) => {
    const err = await failure(listenOnion(options as OnionOptions));
    expect(err).toBeInstanceOf(type);
    expect(err.message).toContain(message);
  });

  it('a dialer refuses listener options and has an undialable location', () => {
    expect(() => createOnionDialer({ control: { host: '127.0.0.1', port: 9051 } } as never)).toThrow(/takes no control option/);
    const d = createOnionDialer({ socks: { host: '127.0.0.1', port: 9050 } });
    expect([d.listening, d.serviceId, d.privateKey]).toEqual([false, undefined, undefined]);
    expect(d.location.designator).toMatch(/^dial-only-[0-9a-f]{32}$/);
    expect(d.location.hints).toBe(false);
  });
});
