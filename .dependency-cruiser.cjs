// The layering of src/, checked by `npm run lint`. The folders follow the data path of a run:
// runner (inputs) → files + history → plan → apply → report. Each rule says why it exists.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'decisions-stay-pure',
      severity: 'error',
      comment:
        'Planning, rendering, naming and SQL text decide; they never reach the database, the runner or the apply step, so they are unit-tested without any of them. Type-only imports carry no effect and are allowed.',
      from: { path: '^src/(plan|report|sql|files/naming|files/content|files/directives)' },
      to: { path: '^src/(db|history|apply|runner|commands)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-runner-speaks-to-the-runner',
      severity: 'error',
      comment:
        'Workflow commands (outputs, annotations, masks, the summary) are written in one place, so no other module can leak a secret or an unescaped value to the runner.',
      from: { pathNot: '^src/(runner/|main[.]ts$)' },
      to: { path: '^src/runner/(toolkit|publish|pr-comment)[.]ts$' },
    },
    {
      name: 'only-main-and-commands-wire',
      severity: 'error',
      comment:
        'Effects are put together in main.ts and commands/ only; every other folder is one step that does one thing and never drives a run.',
      from: { pathNot: '^src/(index[.]ts|main[.]ts|commands/)' },
      to: { path: '^src/(commands/|main[.]ts$)' },
    },
    {
      name: 'steps-look-forward-only',
      severity: 'error',
      comment:
        'An earlier step of the data path never calls a later one: files and SQL text know nothing of the database, the connection knows nothing of the history, the history nothing of applying.',
      from: { path: '^src/(files|sql|db)/' },
      to: { path: '^src/(history|plan|apply|report|review)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'history-before-apply',
      severity: 'error',
      comment:
        'Reading and writing the tracking table does not depend on how migrations are applied.',
      from: { path: '^src/history/' },
      to: { path: '^src/(plan|apply|report)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'A module that nothing imports is dead code, or a test helper in the wrong place. The folders of capabilities landed ahead of their wiring (unit-tested, not yet reached from main.ts) are excepted until they are wired: review/.',
      from: {
        orphan: true,
        pathNot: ['^src/index[.]ts$', '[.]d[.]ts$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // TypeScript 7 has no JavaScript API for dependency-cruiser's own parser: swc reads the sources.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
