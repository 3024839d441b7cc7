// A guest's process: joins the room at the URI it is given, talks, leaves.
//   node examples/chat/guest.mjs <room-uri> [name]
import { OcapnNode, E, createWebSocketDialer } from 'ocapn-ts';

const [uri, name = 'bob'] = process.argv.slice(2);
const node = new OcapnNode({ netlayers: [createWebSocketDialer()] });
const room = await node.enliven(uri);

let greeted;
const welcomed = new Promise((resolve) => (greeted = resolve));
// The listener is a local object: the room calls it back over the same session.
const listener = {
  line(from, text) {
    console.log(`[${name}] ${from}: ${text}`);
    if (from !== '*') greeted();
  },
};
const me = E(room).join(name, listener); // not awaited: the next call is pipelined on it
await welcomed;
await E(me).say('hi alice, bye for now');
await E(me).leave();
await node.close('leaving the chat');
console.log(`[${name}] left`);
