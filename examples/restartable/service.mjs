// The restartable service: it keeps its sturdyref valid across restarts.
//   node examples/restartable/service.mjs <state-dir> <port>
// On the first start it creates, in <state-dir>:
//   identity.json   the node identity (its WebSocket designator key; docs/persistence.md)
//   swiss.json      the swiss number of the greeter, 32 random bytes (a secret!)
// and reuses both on every later start, so it prints the same "URI ocapn://…" line every time.
// The port is part of the URI too (the `url` hint), so it must stay the same.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcapnNode, Far, listenWebSocket, loadOrCreateNodeIdentity } from 'ocapn-ts';

const [stateDir, portArg] = process.argv.slice(2);
if (!stateDir || !portArg) {
  console.error('usage: node service.mjs <state-dir> <port>');
  process.exit(2);
}

// 1. The identity: the same key, so the same designator.
const { identity, written } = await loadOrCreateNodeIdentity(join(stateDir, 'identity.json'), { netlayers: ['websocket'] });

// 2. The swiss number: chosen once at random, kept secret (mode 0600), reused after.
const swissFile = join(stateDir, 'swiss.json');
let swiss;
try {
  swiss = new Uint8Array(Buffer.from(JSON.parse(readFileSync(swissFile, 'utf8')).greeter, 'base64url'));
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
  swiss = crypto.getRandomValues(new Uint8Array(32));
  writeFileSync(swissFile, JSON.stringify({ greeter: Buffer.from(swiss).toString('base64url') }), { mode: 0o600, flag: 'wx' });
}

// 3. The same port, so the same `url` hint.
const netlayer = await listenWebSocket({ host: '127.0.0.1', port: Number(portArg), keyPair: identity.websocket });
const node = new OcapnNode({ netlayers: [netlayer] });

let calls = 0;
const greeter = Far('greeter', {
  hello: (name) => `hello ${name}, from service pid ${process.pid} (call ${++calls} since it started)`,
});
console.log(`STARTED pid ${process.pid}, ${written ? 'new identity' : 'identity reused'}`);
console.log(`URI ${node.sturdyRefUri(greeter, swiss)}`);

const stop = () => node.close('service stopping').finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
