// A chat between two processes over WebSocket, one command:   node examples/chat/run.mjs
// The room's process hosts the room (Alice joins it there); a second process (Bob) enlivens
// its URI, joins with a callback object, and both say something.
import { fileURLToPath } from 'node:url';
import { main, runToEnd, start } from '../processes.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

await main('chat', async () => {
  let sawLeave;
  const left = new Promise((resolve) => (sawLeave = resolve));
  const room = await start(here('./room.mjs'), [], { onLine: (l) => l === '[alice] *: bob left' && sawLeave() });
  console.log(`[chat] room (pid ${room.child.pid}) at ${room.uri}`);
  const code = await runToEnd(here('./guest.mjs'), [room.uri, 'bob']);
  if (code !== 0) throw new Error(`guest exited with ${code}`);
  await left;
  console.log('[chat] done');
});
