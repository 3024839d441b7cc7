// The three-party handoff, three processes over WebSocket, one command:
//   node examples/handoff/run.mjs
// Alice holds references to Bob and to Carol and gives Bob hers to Carol. Bob then calls Carol
// on a session between Bob and Carol: Carol prints which session each call arrived on.
import { fileURLToPath } from 'node:url';
import { main, runToEnd, start } from '../processes.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

await main('handoff', async () => {
  const carol = await start(here('./party.mjs'), ['carol']);
  const bob = await start(here('./party.mjs'), ['bob']);
  const code = await runToEnd(here('./party.mjs'), ['alice', carol.uri, bob.uri]);
  if (code !== 0) throw new Error(`alice exited with ${code}`);
  console.log('[handoff] done');
});
