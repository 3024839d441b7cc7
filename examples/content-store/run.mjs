// A capability-secure content-addressed store, one command:   node examples/content-store/run.mjs
// Four peer processes hold blobs; a client process resolves package names by a quorum of the
// peers it trusts and fetches each blob by SHA-256 from whichever peer holds it, in 16 KiB
// chunks. peer-1 serves corrupted bytes and peer-3 vouches for a backdoored hash: the client
// notices both and goes on without them.
import { fileURLToPath } from 'node:url';
import { main, runToEnd, start } from '../processes.mjs';
import { PEERS } from './catalog.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

await main('content-store', async () => {
  const started = await Promise.all(Object.keys(PEERS).map((name) => start(here('./peer.mjs'), [name])));
  const args = Object.keys(PEERS).map((name, i) => `${name}=${started[i].uri}`);
  const code = await runToEnd(here('./client.mjs'), args);
  if (code !== 0) throw new Error(`client exited with ${code}`);
  console.log('[content-store] done');
});
