// The Node side of the browser demo: a websocket peer hosting a greeter, and a tiny static
// HTTP server for the page (the page's code bundled for the browser with rolldown, in memory).
// Both listen on 127.0.0.1. Used by serve.mjs (npm run demo:browser) and test/browser/.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { OcapnNode, listenWebSocket } from 'ocapn-ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles page.mjs (and ocapn-ts/browser from dist/) for the browser platform. */
export async function bundlePage() {
  const build = await rolldown({ input: `${HERE}page.mjs`, platform: 'browser', cwd: ROOT, logLevel: 'silent' });
  try {
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    return output.filter((o) => o.type === 'chunk').map((c) => c.code).join('\n');
  } finally {
    await build.close();
  }
}

/** The object the page calls. */
function makeGreeter(log) {
  return {
    greet(name) {
      log(`greet(${JSON.stringify(name)})`);
      return `Hello ${name}, from a Node peer`;
    },
    makeCounter(start) {
      log(`makeCounter(${start})`);
      let n = start;
      return { increment: () => (n += 1n) };
    },
  };
}

/**
 * Starts the peer and the page server.
 * @param {{ port?: number, log?: (line: string) => void }} [options] `port`: the HTTP port (default 0: any).
 * @returns {Promise<{ url: string, sturdyRef: string, node: OcapnNode, close(): Promise<void> }>}
 */
export async function startBrowserDemo({ port = 0, log = () => undefined } = {}) {
  const [html, app] = await Promise.all([readFile(`${HERE}index.html`), bundlePage()]);
  const node = new OcapnNode({ netlayers: [await listenWebSocket({ host: '127.0.0.1' })] });
  const sturdyRef = node.sturdyRefUri(makeGreeter(log));
  const pages = {
    '/': ['text/html; charset=utf-8', html],
    '/app.js': ['text/javascript; charset=utf-8', app],
    '/sturdyref': ['text/plain; charset=utf-8', sturdyRef],
  };
  const http = createServer((req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
    if (req.method !== 'GET' || page === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': page[0], 'Cache-Control': 'no-store' }).end(page[1]);
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${http.address().port}/`;
  return {
    url,
    sturdyRef,
    node,
    async close() {
      http.closeAllConnections();
      await Promise.all([new Promise((resolve) => http.close(resolve)), node.close()]);
    },
  };
}
