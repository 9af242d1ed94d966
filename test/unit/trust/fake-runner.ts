// A CommandRunner that records every argv and answers from a script of (matcher → result), so the
// macOS and Windows command plans can be checked on any OS.
import fs from 'node:fs';
import path from 'node:path';
import type { CommandResult, CommandRunner } from '../../../main/core/certs/trust/command-runner.js';

export const FIXTURES = path.resolve('test/fixtures/trust');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export type Answer = Partial<CommandResult> | ((argv: readonly string[]) => Partial<CommandResult>);

export class FakeRunner implements CommandRunner {
  readonly calls: string[][] = [];
  /** Files passed to commands, read at call time (temp files are gone afterwards). */
  readonly fileContents = new Map<string, string>();
  private readonly answers: Array<{ match: (argv: readonly string[]) => boolean; answer: Answer }> = [];

  on(match: (argv: readonly string[]) => boolean, answer: Answer): this {
    this.answers.unshift({ match, answer });
    return this;
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    this.calls.push([...argv]);
    for (const a of argv)
      if (a.startsWith('/') && fs.existsSync(a) && fs.statSync(a).isFile())
        this.fileContents.set(a, fs.readFileSync(a, 'utf8'));
    const hit = this.answers.find((a) => a.match(argv));
    const answer = hit ? (typeof hit.answer === 'function' ? hit.answer(argv) : hit.answer) : {};
    return { code: 0, stdout: '', stderr: '', ...answer };
  }
}

export const startsWith =
  (...prefix: string[]) =>
  (argv: readonly string[]) =>
    prefix.every((p, i) => argv[i] === p);
