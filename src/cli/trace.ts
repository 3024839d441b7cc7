/**
 * `ocapn trace [--html] [--time clock|iso|none] FILE…`: read captures (written by
 * `ocapn test-peer --capture DIR` or `captureToDirectory`; format in src/captp/capture.ts) and
 * print the messages readably, one line each, or (`--html`) as a sequence diagram among the
 * nodes. Several captures are merged: a message seen by both ends of its session is shown once.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { formatOp, printable, shortDesignator, type TraceFormatOptions } from '../captp/trace-format.js';
import { buildTrace, type Trace } from './trace-model.js';
import { renderTraceHtml } from './trace-html.js';
import { UsageError } from './netlayers.js';

/**
 * The trace as text: `HH:MM:SS.mmm from → to op field…`, plus marks for handoff traffic and
 * pipelined calls.
 */
export function renderTraceText(trace: Trace, time: TraceFormatOptions['time'] = 'clock'): string {
  const lines = trace.messages.map((m) => {
    const t = m.sent ?? m.received ?? 0;
    const stamp = time === 'none' ? '' : `${time === 'iso' ? new Date(t).toISOString() : new Date(t).toISOString().slice(11, 23)} `;
    const marks: string[] = [];
    if (m.gift.length > 0) marks.push(`[gift: ${m.gift.join(', ')}; session ${m.session}]`);
    if (m.pipelined) {
      const waited = m.pipelined.resolvedAt === undefined ? 'not resolved in this trace' : `resolved ${(m.pipelined.resolvedAt - t).toFixed(3)} ms later`;
      marks.push(`[pipelined on answer ${m.pipelined.answer}, ${waited}]`);
    }
    if (m.resolves !== undefined) marks.push(`[answers ${m.resolves}]`);
    return `${stamp}${shortDesignator(m.from)} → ${shortDesignator(m.to)} ${formatOp(m.message)}${marks.length ? `  ${marks.join(' ')}` : ''}`;
  });
  const header = trace.nodes.map((n) => `# node ${shortDesignator(n.designator)} = ${printable(n.designator)}${n.transport ? `.${printable(n.transport)}` : ''}`);
  return `${[...header, ...lines].join('\n')}\n`;
}

const USAGE = `usage: ocapn trace [--html] [--time clock|iso|none] FILE…
  Print the CapTP messages in capture files (from \`ocapn test-peer --capture DIR\` or
  captureToDirectory()), merged across files; --html writes a sequence diagram page to stdout.`;

/** The `trace` command (see the module comment). */
export const traceCommand = {
  name: 'trace',
  summary: 'print captured CapTP messages readably, or as an HTML sequence diagram',
  usage: USAGE,
  async run(argv: string[]): Promise<void> {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { html: { type: 'boolean', default: false }, time: { type: 'string', default: 'clock' }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    const time = values.time;
    if (time !== 'clock' && time !== 'iso' && time !== 'none') throw new UsageError(`--time must be clock, iso or none, got "${time}"`);
    if (positionals.length === 0) throw new UsageError('trace needs at least one capture file');
    const captures = positionals.map((file) => {
      try {
        return { name: file, text: readFileSync(file, 'utf8') };
      } catch (e) {
        throw new Error(`cannot read ${file}: ${(e as Error).message}`);
      }
    });
    const trace = buildTrace(captures);
    const title = positionals.length <= 3 ? positionals.map((f) => basename(f)).join(', ') : `${positionals.length} captures`;
    process.stdout.write(values.html ? renderTraceHtml(trace, title) : renderTraceText(trace, time));
  },
};
