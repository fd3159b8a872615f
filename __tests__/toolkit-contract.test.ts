// The contract of src/toolkit.ts: the same calls through it and through @actions/core (the
// toolkit it stands in for) print the same workflow commands and write the same GITHUB_OUTPUT.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as core from '@actions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ours from '../src/runner/toolkit.js';

/** The part of the toolkit's API the action uses, with the signatures both share. */
interface Toolkit {
  getInput(name: string): string;
  setSecret(secret: string): void;
  info(message: string): void;
  error(message: string, properties?: ours.AnnotationProperties): void;
  warning(message: string, properties?: ours.AnnotationProperties): void;
  startGroup(name: string): void;
  endGroup(): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-toolkit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What `calls` made reach the runner: stdout, the GITHUB_OUTPUT file and the exit code. */
async function through(
  toolkit: Toolkit,
  calls: (t: Toolkit) => unknown,
  env: Record<string, string | undefined> = {},
): Promise<{ stdout: string; output: string; exitCode: typeof process.exitCode; value: unknown }> {
  const output = path.join(dir, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(output, '');
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;
  const write = process.stdout.write;
  let stdout = '';
  Object.assign(process.env, { GITHUB_OUTPUT: output }, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  let value: unknown;
  let exitCode: typeof process.exitCode;
  try {
    value = calls(toolkit);
  } finally {
    process.stdout.write = write;
    exitCode = process.exitCode;
    process.exitCode = savedExitCode;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  // The heredoc delimiter is random in both: compare its shape, then the rest.
  const text = await readFile(output, 'utf8');
  for (const match of text.matchAll(/<<(ghadelimiter_[0-9a-f-]{36})\n/g)) {
    expect(text).toContain(`\n${match[1]}\n`);
  }
  return {
    stdout,
    output: text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER'),
    exitCode,
    value,
  };
}

/** Asserts that `calls` reach the runner the same way through both toolkits. */
async function expectSame(
  calls: (t: Toolkit) => unknown,
  env: Record<string, string | undefined> = {},
) {
  const theirs = await through(core, calls, env);
  const mine = await through(ours, calls, env);
  expect(mine).toEqual(theirs);
  return mine;
}

const awkward = ['50% done', 'a\nb', 'c\r\nd', 'x:y,z', '%0A', '::stop-commands::', ''];

describe('src/toolkit.ts against @actions/core', () => {
  it('reads inputs alike: spaces as _, upper-cased, dashes kept, trimmed', async () => {
    const env = {
      'INPUT_DATABASE-URL': '  postgres://h/db \n',
      INPUT_MY_INPUT: 'spaced',
      INPUT_EMPTY: '',
    };
    const { value } = await expectSame(
      (t) =>
        ['database-url', 'DATABASE-URL', 'my input', 'empty', 'absent'].map((n) => t.getInput(n)),
      env,
    );
    expect(value).toEqual(['postgres://h/db', 'postgres://h/db', 'spaced', '', '']);
  });

  it('masks alike, with %, CR and LF escaped', async () => {
    const { stdout } = await expectSame((t) => {
      for (const secret of ['p@ss:w/rd%$', 'multi\nline', ...awkward]) t.setSecret(secret);
    });
    expect(stdout).toContain('::add-mask::p@ss:w/rd%25$\n');
  });

  it('prints log lines alike, multi-line ones included', async () => {
    await expectSame((t) => {
      for (const line of ['plain', ...awkward]) t.info(line);
    });
  });

  it('prints error and warning annotations alike, with and without file, line and title', async () => {
    const { stdout } = await expectSame((t) => {
      for (const message of ['failed', ...awkward]) {
        t.error(message);
        t.warning(message);
        t.error(message, { file: 'migrations/2_b,c:d.sql', startLine: 12 });
        t.warning(message, { file: 'm/1_a.sql', startLine: 1, title: 'Drift: 50%, a:b' });
        t.error(message, { title: 'only a title' });
      }
    });
    expect(stdout).toContain('::error file=migrations/2_b%2Cc%3Ad.sql,line=12::failed\n');
  });

  it('prints groups alike', async () => {
    await expectSame((t) => {
      t.startGroup('Status of 2 migrations');
      t.info('inside');
      t.endGroup();
      t.startGroup('a\nb 100%');
      t.endGroup();
    });
  });

  it('writes outputs alike to GITHUB_OUTPUT: heredocs with a random delimiter, multi-line values', async () => {
    const { output } = await expectSame((t) => {
      t.setOutput('result', 'applied');
      t.setOutput('applied', '["1","2"]');
      t.setOutput('report', 'line 1\nline 2\r\n50%');
      t.setOutput('empty', '');
    });
    expect(output).toContain('report<<DELIMITER\nline 1\nline 2\r\n50%\nDELIMITER\n');
  });

  // @actions/core prints an empty line before each set-output command, so that it starts a line of
  // its own even after output without a newline; only runners without GITHUB_OUTPUT see it.
  it('without GITHUB_OUTPUT, prints outputs alike as set-output commands', async () => {
    await expectSame(
      (t) => {
        t.setOutput('result', 'applied');
        t.setOutput('multi', 'a\nb');
      },
      { GITHUB_OUTPUT: undefined },
    );
  });

  it('fails the step alike: the error annotation and exit code 1', async () => {
    const { exitCode } = await expectSame((t) => t.setFailed('Could not connect: 50%\nretry'));
    expect(exitCode).toBe(1);
  });
});
