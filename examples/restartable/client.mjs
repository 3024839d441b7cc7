// A client: enlivens a sturdyref URI, calls hello(name) on it, prints the answer, exits.
//   node examples/restartable/client.mjs <uri> <name>
import { OcapnNode, E, createWebSocketDialer } from 'ocapn-ts';

const [uri, name] = process.argv.slice(2);
const node = new OcapnNode({ netlayers: [await createWebSocketDialer()] });
try {
  const greeter = await node.enliven(uri);
  console.log(`ANSWER ${await E(greeter).hello(name)}`);
} finally {
  await node.close('client done');
}
