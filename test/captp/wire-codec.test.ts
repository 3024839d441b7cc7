/**
 * The codec boundary (src/captp/wire-codec.ts): CapTP turns messages into bytes and back only
 * through a WireCodec, so a second encoding (ocapn/ocapn PR #284) needs no change to CapTP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/index.js';
import { encode, type SyrupValue } from '../../src/syrup/index.js';
import { rec } from '../../src/syrup/types.js';
import { CaptpSession, type SessionHost } from '../../src/captp/session.js';
import { resolveLimits } from '../../src/captp/limits.js';
import { GOBLINS } from '../../src/captp/profile.js';
import { label } from '../../src/captp/ops.js';
import { SYRUP_WIRE_CODEC, type WireCodec } from '../../src/captp/wire-codec.js';
import type { Connection } from '../../src/netlayers/interface.js';

const LIMITS = { maxDepth: 8, maxContainerLength: 100, maxBytesLength: 1000 };

describe('WireCodec boundary', () => {
  it('no CapTP file but wire-codec.ts imports the Syrup encoder or decoder', () => {
    const dir = new URL('../../src/captp/', import.meta.url);
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'wire-codec.ts')) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*'\.\.\/syrup\/[^']*'/g)) {
        const names = m[1].split(',').map((n) => n.trim().replace(/^type\s+/, ''));
        if (names.some((n) => /^(encode|decode|decodeMany|encodeInto)\b/.test(n))) offenders.push(file);
      }
      if (/import\s+\*\s+as\s+\w+\s+from\s*'\.\.\/syrup/.test(src)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it('the Syrup codec round-trips, refuses sets, and applies the limits it is given', () => {
    const m = rec('op:abort', 'bye');
    expect(SYRUP_WIRE_CODEC.decode(SYRUP_WIRE_CODEC.encode(m), LIMITS)).toEqual(m);
    expect(() => SYRUP_WIRE_CODEC.decode(new TextEncoder().encode('#1+$'), LIMITS)).toThrow(/set/i);
    const deep = encode([[[[[[[[[[1n]]]]]]]]]]);
    expect(() => SYRUP_WIRE_CODEC.decode(deep, LIMITS)).toThrow(/depth|nest/i);
  });

  it('two sessions speaking a toy second encoding (Syrup with every byte inverted) establish and answer', async () => {
    let encoded = 0;
    const inverted: WireCodec = {
      name: 'inverted-syrup',
      encode(message: SyrupValue) {
        encoded++;
        return SYRUP_WIRE_CODEC.encode(message).map((b) => b ^ 0xff);
      },
      decode: (bytes, limits) => SYRUP_WIRE_CODEC.decode(bytes.map((b) => b ^ 0xff), limits),
    };
    const net = new MemoryNetwork();
    const na = net.netlayer('a');
    const nb = net.netlayer('b');
    const accepted = new Promise<Connection>((res) => nb.accept(res));
    const ca = await na.connect(nb.location);
    const host = (location: typeof na.location, bootstrap: object): SessionHost => ({
      location,
      makeBootstrap: () => bootstrap,
      admit: () => undefined,
      closed: () => {},
    });
    const seen: Uint8Array[] = [];
    const opts = { profile: GOBLINS, limits: resolveLimits(undefined), wireCodec: inverted };
    const sa = new CaptpSession(ca, { ...host(na.location, {}), tap: (e) => e.direction === 'out' && seen.push(e.bytes) }, opts);
    const sb = new CaptpSession(await accepted, host(nb.location, { ping: () => 'pong' }), opts);
    await Promise.all([sa.ready, sb.ready]);
    expect(await sa.question({ kind: 'export', pos: 0 }, [label('ping')])).toBe('pong');
    expect(encoded).toBeGreaterThanOrEqual(4);
    expect(seen[0][0]).toBe('<'.charCodeAt(0) ^ 0xff); // not Syrup on the wire
    sa.abort('done');
    await sb.closed;
    expect(sb.closeReason?.message).toMatch(/done/);
  });
});
