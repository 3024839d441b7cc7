import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork } from '../../src/index.js';
import { encode, toNotation } from '../../src/syrup/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';

describe('a byte-level peer against a node', () => {
  it('fetch and call: exact messages back', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('node')] });
    node.register((...args: unknown[]) => args, 'echo-swiss');
    const peer = await RawPeer.dial(net.netlayer('raw'), node.location);
    await peer.handshake();
    peer.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), new TextEncoder().encode('echo-swiss')], 0n, rec('desc:import-object', 1n)));
    const f = await peer.nextNonGc();
    expect(toNotation(f)).toBe("<op:deliver <desc:export 1> ['fulfill <desc:import-object 1>] f f>");
    peer.send(rec('op:deliver', rec('desc:export', 1n), [1n, 'two'], 1n, rec('desc:import-object', 2n)));
    const r = await peer.nextNonGc();
    expect(Buffer.from(encode(r)).toString('latin1')).toBe("<10'op:deliver<11'desc:export2+>[7'fulfill[1+3\"two]]ff>");
    await node.close();
  });
});
