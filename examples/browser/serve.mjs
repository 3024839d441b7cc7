// npm run demo:browser: builds the page, starts a Node peer hosting a greeter and serves the
// page on 127.0.0.1. Open the printed URL in a browser. PORT=8080 picks the HTTP port.
import { startBrowserDemo } from './demo-server.mjs';

const demo = await startBrowserDemo({ port: Number(process.env.PORT ?? 0), log: (line) => console.log(`[peer] ${line}`) });
console.log(`Open ${demo.url} (the page fetches the sturdyref from /sturdyref)`);
console.log(`or   ${demo.url}?sturdyref=${encodeURIComponent(demo.sturdyRef)}`);
console.log('Ctrl-C to stop.');
const stop = () => demo.close().finally(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
