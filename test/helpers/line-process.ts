/**
 * A child process that speaks in lines: every stdout line is kept (stderr lines too, marked),
 * tests wait for a line matching a pattern and write commands to its stdin. Used by the
 * failing-network tests (test/failures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './built.js';

export class LineProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private buffered = '';

  /** Spawn `command args…` in the repository root, stdin a pipe. */
  constructor(readonly name: string, command: string, args: string[]) {
    this.child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      this.buffered += chunk;
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean).map((l) => `STDERR ${l}`)));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Write one command line to the process's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Send a signal to the process. */
  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** The first line matching `pattern`, waiting up to `ms`. */
  async waitLine(pattern: RegExp, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find((l) => pattern.test(l));
      if (hit !== undefined) return hit;
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name} printed no ${pattern} within ${ms} ms:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stop the process: SIGCONT (in case it is stopped), SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}
