// The page's code, bundled for the browser by demo-server.mjs. It takes the sturdyref from the
// query string (?sturdyref=ocapn://…) or else from the server (/sturdyref), enlivens it over
// the browser websocket dialer, calls it, pipelines a call, and shows the results.
// With ?lockdown, it first hardens the page with SES lockdown() (before ocapn-ts loads).
import 'ses';

const params = new URLSearchParams(location.search);
if (params.has('lockdown')) lockdown({ errorTaming: 'unsafe' });
const { OcapnNode, E, createBrowserWebSocketDialer } = await import('ocapn-ts/browser');

const show = (id, text) => (document.getElementById(id).textContent = text);

async function main() {
  show('lockdown', Object.isFrozen(Array.prototype) ? 'yes' : 'no');
  const uri = params.get('sturdyref') ?? (await (await fetch('/sturdyref')).text()).trim();
  show('sturdyref', uri);
  const netlayer = createBrowserWebSocketDialer();
  show('designator', netlayer.location.designator);
  const node = new OcapnNode({ netlayers: [netlayer] });
  try {
    show('status', 'connecting…');
    const greeter = await node.enliven(uri);
    show('greeting', await E(greeter).greet('browser'));
    // Promise pipelining: increment() is sent to the counter before makeCounter() has answered.
    const counter = E(greeter).makeCounter(41n);
    show('pipelined', String(await E(counter).increment()));
    show('status', 'done');
  } finally {
    await node.close();
  }
}

main().catch((err) => show('status', `error: ${err?.message ?? err}`));
