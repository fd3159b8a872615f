import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const DIST = path.resolve(import.meta.dirname, '../../dist/index.js');

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Everything the step printed, for searching (secrets, messages). */
  all: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses $GITHUB_OUTPUT as the runner does: `name<<delimiter` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match?.[1] || !match[2]) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '');
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}

/**
 * Runs the bundled action the way the runner does: `node dist/index.js` with one INPUT_<NAME>
 * variable per input (dashes kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the
 * workspace. Nothing of the test process's own GITHUB_* or INPUT_* environment leaks in.
 */
export async function runAction(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; workspace?: string; signal?: AbortSignal } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-run-'));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(INPUT_|GITHUB_|RUNNER_)/.test(key)) continue;
    if (key === 'DATABASE_URL' || key === 'DSN') continue;
    env[key] = value;
  }
  Object.assign(env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.workspace ?? process.cwd(),
    GITHUB_EVENT_NAME: 'push',
    ...options.env,
  });
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  const child = spawn(process.execPath, [DIST], { env, cwd: dir, signal: options.signal });
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    all += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    all += chunk;
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (exit) => resolve(exit));
    child.on('error', () => undefined);
  });
  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
  const summary = await readFile(summaryFile, 'utf8');
  await rm(dir, { recursive: true, force: true });
  return { code, stdout, stderr, all, outputs, summary };
}
