// The chat room's process: hosts a room on a WebSocket listener, prints its sturdyref URI,
// and has Alice join it from here.   node examples/chat/room.mjs
import { OcapnNode, E, listenWebSocket } from 'ocapn-ts';

const node = new OcapnNode({ netlayers: [await listenWebSocket({ host: '127.0.0.1', port: 0 })] });

function makeRoom() {
  const members = new Map(); // name -> listener (a local object or a remote reference)
  // Tell every member but `about` (the speaker, or who joined or left).
  const tell = (from, text, about = from) => {
    // Fire and forget: a listener that went away must not leave a rejected promise behind.
    for (const [name, listener] of members) if (name !== about) E.sendOnly(listener).line(from, text);
  };
  return {
    // Joining gives back a member object: what it says carries the name it joined with.
    join(name, listener) {
      if (typeof name !== 'string' || members.has(name)) throw new Error(`name taken: ${name}`);
      members.set(name, listener);
      tell('*', `${name} joined`, name);
      return {
        say: (text) => tell(name, String(text)),
        leave: () => {
          members.delete(name);
          tell('*', `${name} left`, name);
        },
      };
    },
  };
}

const room = makeRoom();
// Alice is in the room's own process: a local listener, called with the same E().
const alice = room.join('alice', {
  line(from, text) {
    console.log(`[alice] ${from}: ${text}`);
    if (from === '*' && text.endsWith(' joined')) alice.say(`hello ${text.split(' ')[0]}, welcome`);
  },
});

console.log(`URI ${node.sturdyRefUri(room)}`);
process.on('SIGTERM', () => node.close().then(() => process.exit(0)));
