// One demo process: hosts a service on a WebSocket listener and prints its sturdyref URI.
//   node examples/demo-peer.mjs counter|carol|bob
import { OcapnNode, E, listenWebSocket } from 'ocapn-ts';

const role = process.argv[2];
const netlayer = await listenWebSocket({ host: '127.0.0.1', port: 0 });
const node = new OcapnNode({ netlayers: [netlayer] });
const say = (msg) => console.log(`[${role}] ${msg}`);

let service;
if (role === 'counter') {
  let total = 0n;
  service = {
    increment(n) {
      total += n;
      say(`increment(${n}) -> ${total}`);
      return total;
    },
    makeAccount(owner) {
      say(`makeAccount(${JSON.stringify(owner)})`);
      let balance = 0n;
      return {
        deposit(n) {
          balance += n;
          say(`${owner}.deposit(${n}) -> ${balance}`);
          return balance;
        },
        statement: () => ({ owner, balance }),
      };
    },
    fail() {
      throw new Error('this method always fails');
    },
  };
} else if (role === 'carol') {
  service = {
    hello(who) {
      say(`hello(${JSON.stringify(who)})`);
      return `Hello ${who}, I am Carol on ${netlayer.location.designator}`;
    },
  };
} else if (role === 'bob') {
  service = {
    async callIt(target) {
      say('callIt received a reference (a handoff-give): withdrawing the gift from its exporter');
      const answer = await E(target).hello('node B');
      say(`Carol answered Bob directly: ${JSON.stringify(answer)}`);
      return answer;
    },
  };
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}
console.log(`URI ${node.sturdyRefUri(service)}`);
process.on('SIGTERM', () => node.close().finally(() => process.exit(0)));
