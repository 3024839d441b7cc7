// The demo's client process (Alice): calls, pipelines, and hands Carol to Bob.
//   node examples/demo-client.mjs <counter-uri> <carol-uri> <bob-uri>
import { OcapnNode, E, createWebSocketDialer, toNotationForDemo } from './demo-util.mjs';

const [counterUri, carolUri, bobUri] = process.argv.slice(2);
const wire = [];
const node = new OcapnNode({
  netlayers: [createWebSocketDialer()],
  tap: (e) => wire.push(`${e.direction === 'out' ? 'A->' : 'A<-'}${e.session.peerLocation?.designator ?? '?'} ${toNotationForDemo(e.message)}`),
});
const say = (msg) => console.log(`[alice] ${msg}`);

say(`enliven ${counterUri}`);
const counter = await node.enliven(counterUri);
say(`increment(5n) -> ${await E(counter).increment(5n)}`);
say(`increment(10n) -> ${await E(counter).increment(10n)}`);

const before = wire.length;
const account = E(counter).makeAccount('alice'); // not awaited: a promise for a remote object
const deposited = E(account).deposit(42n); // pipelined on the unresolved answer
say(`pipelined deposit(42n) -> ${await deposited}`);
const statement = await E(account).statement();
say(`statement -> owner ${statement.owner}, balance ${statement.balance}`);
const pipelined = wire.slice(before).filter((l) => l.startsWith('A->') && l.includes('<desc:answer'));
say(`messages sent to an answer position before it resolved: ${pipelined.length}`);
for (const l of pipelined) say(`  wire: ${l}`);

try {
  await E(counter).fail();
} catch (e) {
  say(`fail() broke its promise: ${e.message}`);
}

say('--- three-party handoff: Alice gives Bob a reference to Carol ---');
const carol = await node.enliven(carolUri);
say(`Carol says to Alice: ${await E(carol).hello('node A')}`);
const bob = await node.enliven(bobUri);
say(`Bob returns: ${await E(bob).callIt(carol)}`);
const handoff = wire.filter((l) => /deposit-gift|handoff-give/.test(l));
for (const l of handoff) say(`  wire: ${l.slice(0, 160)}…`);
await node.close('demo finished');
say('done');
