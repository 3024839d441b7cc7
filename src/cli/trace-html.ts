/**
 * `ocapn trace --html`: a {@link Trace} drawn as a sequence diagram in one self-contained HTML
 * page (inline CSS and SVG, no script, no external asset). Lanes are nodes, arrows are
 * messages in the order they were sent; handoff traffic is drawn in purple and names the
 * session that carried it; a call pipelined on an unresolved answer is dashed orange, with a
 * bar on the receiver's lane from its arrival until the answer was resolved.
 *
 * The DOM is part of the contract (tests read it): `g.lane` per node, `g.msg` per message
 * (`.gift`, `.pipelined`, `.resolves`), `rect.wait` per wait, `data-from`/`data-to`/`data-session`.
 * @module
 */
import { formatOp, shortDesignator } from '../captp/trace-format.js';
import type { Trace, TraceMessage } from './trace-model.js';

const LANE_W = 260;
const LEFT = 110;
const TOP = 70;
const ROW_H = 30;
/** Room right of the last lane for labels of arrows that end there. */
const RIGHT = 320;
/** Width of a character of the label font, in px (12px monospace). */
const CHAR_W = 7.3;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function when(m: TraceMessage): number {
  return m.sent ?? m.received ?? 0;
}

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #1b1b1f; }
h1 { font-size: 16px; margin: 0 0 4px; }
p.legend span { display: inline-block; margin-right: 16px; }
.sw { display: inline-block; width: 22px; height: 3px; vertical-align: middle; margin-right: 4px; }
svg text { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
g.lane line { stroke: #9aa0a6; stroke-dasharray: 4 4; }
g.lane rect { fill: #eef2f7; stroke: #5f6b7a; }
g.lane text { text-anchor: middle; font-weight: 600; }
g.msg line { stroke: #2a5db0; stroke-width: 1.5; }
g.msg text.label { fill: #1b1b1f; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
g.msg text.time { fill: #6b7280; text-anchor: end; }
g.msg.gift line { stroke: #7b2cbf; stroke-width: 2.5; }
g.msg.gift text.label { fill: #7b2cbf; font-weight: 600; }
g.msg.pipelined line { stroke: #d9480f; stroke-dasharray: 6 3; stroke-width: 2; }
g.msg.pipelined text.label { fill: #d9480f; }
g.msg.resolves text.label { font-style: italic; }
rect.wait { fill: #d9480f; fill-opacity: 0.25; stroke: #d9480f; }
`;

/**
 * The page for `trace`. `title` goes in the heading (e.g. the file names).
 */
export function renderTraceHtml(trace: Trace, title: string): string {
  const lane = new Map(trace.nodes.map((n, i) => [n.designator, i]));
  const x = (designator: string) => LEFT + (lane.get(designator) ?? 0) * LANE_W + LANE_W / 2;
  const y = (row: number) => TOP + 30 + row * ROW_H;
  const width = LEFT + trace.nodes.length * LANE_W + RIGHT;
  const height = y(trace.messages.length) + 20;
  const t0 = trace.messages.length > 0 ? when(trace.messages[0]) : 0;
  const parts: string[] = [];
  for (const [i, n] of trace.nodes.entries()) {
    const cx = LEFT + i * LANE_W + LANE_W / 2;
    const name = `${shortDesignator(n.designator)}${n.transport ? ` (${n.transport})` : ''}`;
    parts.push(
      `<g class="lane" data-designator="${esc(n.designator)}"><title>${esc(n.designator)}</title>` +
        `<line x1="${cx}" y1="${TOP + 14}" x2="${cx}" y2="${height - 10}"/>` +
        `<rect x="${cx - LANE_W / 2 + 12}" y="${TOP - 30}" width="${LANE_W - 24}" height="44" rx="6"/>` +
        `<text x="${cx}" y="${TOP - 3}">${esc(cut(name, 34))}</text></g>`,
    );
  }
  // Waits first, so arrows are drawn over them.
  for (const [i, m] of trace.messages.entries()) {
    if (!m.pipelined) continue;
    const resolvedRow = trace.messages.findIndex((r, j) => j > i && r.resolves === m.pipelined!.answer && r.session === m.session && r.to === m.from);
    const end = resolvedRow >= 0 ? y(resolvedRow) : height - 10;
    const waited = m.pipelined.resolvedAt === undefined ? 'never resolved in this trace' : `resolved after ${(m.pipelined.resolvedAt - when(m)).toFixed(3)} ms`;
    parts.push(
      `<rect class="wait" x="${x(m.to) - 5}" y="${y(i)}" width="10" height="${Math.max(4, end - y(i))}">` +
        `<title>pipelined on answer ${m.pipelined.answer}: waited until the answer was resolved (${esc(waited)})</title></rect>`,
    );
  }
  for (const [i, m] of trace.messages.entries()) {
    const x1 = x(m.from);
    const x2 = x(m.to);
    const yy = y(i);
    const dir = x2 >= x1 ? 1 : -1;
    const classes = ['msg', m.gift.length > 0 ? 'gift' : '', m.pipelined ? 'pipelined' : '', m.resolves !== undefined ? 'resolves' : ''].filter(Boolean).join(' ');
    const lx = Math.min(x1, x2) + 8;
    // The marks first, so cutting a long label never hides them.
    const marks = [m.gift.length > 0 ? `[gift, session ${m.session}]` : '', m.pipelined ? `[pipelined on answer ${m.pipelined.answer}]` : ''].filter(Boolean).join(' ');
    const room = Math.max(24, Math.floor((width - lx - 10) / CHAR_W));
    const body = formatOp(m.message, { maxBytes: 4, maxString: 24, maxItems: 6 });
    const label = marks ? `${marks} ${cut(body, room - marks.length - 1)}` : cut(body, room);
    const full = formatOp(m.message, { maxBytes: 32, maxString: 400, maxItems: 64 });
    const times = `sent ${m.sent === undefined ? '?' : new Date(m.sent).toISOString()}, received ${m.received === undefined ? '?' : new Date(m.received).toISOString()}`;
    parts.push(
      `<g class="${classes}" data-from="${esc(m.from)}" data-to="${esc(m.to)}" data-session="${esc(m.session)}">` +
        `<title>${esc(`${shortDesignator(m.from)} → ${shortDesignator(m.to)}, session ${m.session}, ${m.size} bytes, ${times}\n${full}`)}</title>` +
        `<text class="time" x="${LEFT - 12}" y="${yy + 4}">+${(when(m) - t0).toFixed(1)} ms</text>` +
        `<line x1="${x1}" y1="${yy}" x2="${x2 - dir * 2}" y2="${yy}" marker-end="url(#${m.gift.length > 0 ? 'head-gift' : m.pipelined ? 'head-pipe' : 'head'})"/>` +
        `<text class="label" x="${lx}" y="${yy - 5}">${esc(label)}</text></g>`,
    );
  }
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;
  const pipelined = trace.messages.filter((m) => m.pipelined).length;
  const gifts = trace.messages.filter((m) => m.gift.length > 0).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocapn trace: ${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>ocapn trace: ${esc(title)}</h1>
<p class="summary">${trace.nodes.length} nodes, ${trace.messages.length} messages, ${gifts} carrying a gift, ${pipelined} pipelined on an unresolved answer. Hover an arrow for the whole message.</p>
<p class="legend"><span><i class="sw" style="background:#2a5db0"></i>message</span><span><i class="sw" style="background:#7b2cbf"></i>handoff (deposit-gift, withdraw-gift, desc:handoff-give/receive)</span><span><i class="sw" style="background:#d9480f"></i>pipelined on an unresolved answer; bar: how long it waited</span></p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs>${marker('head', '#2a5db0')}${marker('head-gift', '#7b2cbf')}${marker('head-pipe', '#d9480f')}</defs>
${parts.join('\n')}
</svg>
</body></html>
`;
}
