import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The bundled action; ACTION_DIST runs another build (e.g. a copy taken while dist/ is rebuilt). */
export const DIST = process.env.ACTION_DIST
  ? path.resolve(process.env.ACTION_DIST)
  : path.resolve(import.meta.dirname, '../../dist/index.js');

export interface ActionRun {
  code: number | null;
  /** The signal that ended the process, when one did (a SIGKILL sent by the test). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Everything the step printed, for searching (secrets, messages). */
  all: string;
  outputs: Record<string, string>;
  summary: string;
  /**
   * Every line printed (stdout and stderr), with the time it arrived (Date.now()), for timing a
   * behaviour from a point the action reports rather than from the process start, which a busy
   * machine can delay by seconds.
   */
  lines: { at: number; text: string }[];
  /** When the process ended (Date.now()). */
  endedAt: number;
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
  options: {
    env?: Record<string, string>;
    workspace?: string;
    signal?: AbortSignal;
    /** Called with the started process, e.g. to send it a signal of the test's choosing. */
    onSpawn?: (child: ChildProcess) => void;
    /** Options for node itself, before the script (e.g. `--import` of a loader hook). */
    nodeArgs?: string[];
    /** Another build to run than DIST (e.g. a copy with a file removed). */
    dist?: string;
    /** Called with each line as it arrives, to wait for what the run reports while it runs. */
    onLine?: (text: string) => void;
  } = {},
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

  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.dist ?? DIST], {
    env,
    cwd: dir,
    signal: options.signal,
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  let all = '';
  const lines: { at: number; text: string }[] = [];
  const partial = { stdout: '', stderr: '' };
  const collect = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
    const parts = (partial[stream] + chunk.toString()).split('\n');
    partial[stream] = parts.pop() ?? '';
    const at = Date.now();
    for (const text of parts) {
      lines.push({ at, text });
      options.onLine?.(text);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    all += chunk;
    collect('stdout', chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    all += chunk;
    collect('stderr', chunk);
  });
  const { code, signal } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => {
    child.on('close', (exit, killedBy) => resolve({ code: exit, signal: killedBy }));
    child.on('error', () => undefined);
  });
  const endedAt = Date.now();
  for (const text of [partial.stdout, partial.stderr]) if (text) lines.push({ at: endedAt, text });
  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
  const summary = await readFile(summaryFile, 'utf8');
  await rm(dir, { recursive: true, force: true });
  return { code, signal, stdout, stderr, all, outputs, summary, lines, endedAt };
}
