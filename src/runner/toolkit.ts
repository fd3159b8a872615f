// The workflow commands the action speaks to the runner (in place of @actions/core): the only writer of them.
/**
 * The workflow commands the action speaks to the runner: inputs, outputs, masks, log lines,
 * annotations, groups and the failure. Written here rather than imported from `@actions/core`,
 * whose entry module also loads its OIDC client and with it undici (900 KB of the bundle, about a
 * third of a cold start spent compiling code a migration never runs). The behaviour is the
 * toolkit's: the same names, escaping and file-command format.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

/** `core.getInput`: INPUT_<NAME> with spaces as `_`, upper-cased, dashes kept, trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function issue(command: string, message: string, properties: Record<string, unknown> = {}): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

/** Masks `secret` in every later line of the log. */
export function setSecret(secret: string): void {
  issue('add-mask', secret);
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

export interface AnnotationProperties {
  file?: string;
  startLine?: number;
  title?: string;
}

function annotation(
  level: 'error' | 'warning' | 'notice',
  message: string,
  at: AnnotationProperties,
) {
  issue(level, message, { title: at.title, file: at.file, line: at.startLine });
}

export function error(message: string, properties: AnnotationProperties = {}): void {
  annotation('error', message, properties);
}

export function warning(message: string, properties: AnnotationProperties = {}): void {
  annotation('warning', message, properties);
}

export function notice(message: string, properties: AnnotationProperties = {}): void {
  annotation('notice', message, properties);
}

export function startGroup(name: string): void {
  issue('group', name);
}

export function endGroup(): void {
  issue('endgroup', '');
}

/** An output, through the $GITHUB_OUTPUT file (a heredoc with a random delimiter). */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) {
    // Outside a runner (or an old one) the output still shows in the log, on a line of its own
    // even after output without a newline, as @actions/core writes it.
    process.stdout.write(EOL);
    issue('set-output', value, { name });
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

/** The step fails with this message: an error line and exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}
