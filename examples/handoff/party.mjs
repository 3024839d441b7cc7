// One party of the three-party handoff, in its own process, on a WebSocket listener.
//   node examples/handoff/party.mjs carol|bob      prints `URI <sturdyref>` and serves
//   node examples/handoff/party.mjs alice <carol-uri> <bob-uri>   introduces Bob to Carol, exits
import { OcapnNode, E, listenWebSocket } from 'ocapn-ts';
import { toNotation } from 'ocapn-ts/syrup';

const [role, ...uris] = process.argv.slice(2);
const say = (msg) => console.log(`[${role}] ${msg}`);
const names = new Map(); // designator -> party name, learned from what each party tells us
const who = (session) => {
  const d = session.peerLocation?.designator ?? '?';
  return `${names.get(d) ?? 'someone'} (${d.slice(0, 8)}…)`;
};

const node = new OcapnNode({
  netlayers: [await listenWebSocket({ host: '127.0.0.1', port: 0 })],
  // Print each call to `hello` as it arrives, with the session (the peer) that carried it.
  tap: (e) => {
    if (e.direction !== 'in') return;
    const text = toNotation(e.message);
    if (text.startsWith('<op:deliver') && text.includes("'hello")) say(`hello call arrived on the session with ${who(e.session)}`);
  },
});
const me = node.location.designator;
say(`designator ${me.slice(0, 8)}…`);

if (role === 'carol') {
  console.log(`URI ${node.sturdyRefUri({
    introduce: (name, designator) => void names.set(designator, name),
    hello: (name) => `hello ${name}, this is Carol`,
  })}`);
} else if (role === 'bob') {
  console.log(`URI ${node.sturdyRefUri({
    // `carol` arrives as a handoff: Bob fetches it from Carol's node, over his own session.
    async meet(carol) {
      await E(carol).introduce('bob', me);
      const answer = await E(carol).hello('bob');
      say(`Carol answered Bob directly: ${answer}`);
      return answer;
    },
  })}`);
} else if (role === 'alice') {
  const [carolUri, bobUri] = uris;
  const carol = await node.enliven(carolUri);
  await E(carol).introduce('alice', me);
  say(`Carol answers Alice: ${await E(carol).hello('alice')}`);
  const bob = await node.enliven(bobUri);
  say('giving Bob a reference to Carol');
  say(`Bob reports: ${await E(bob).meet(carol)}`);
  await node.close('introductions done');
} else {
  console.error(`unknown role ${role}: carol, bob or alice`);
  process.exit(2);
}
process.on('SIGTERM', () => node.close().then(() => process.exit(0)));
