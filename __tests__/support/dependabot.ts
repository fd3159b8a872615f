// A check of .github/dependabot.yml against the documented options of Dependabot's version 2
// configuration (the subset a repository like this one uses), for the tests: no network, no
// schema package. Returns problems as sentences; checks nothing it does not know to be wrong.

const TOP_LEVEL = new Set(['version', 'updates', 'registries', 'enable-beta-ecosystems']);
const UPDATE_KEYS = new Set([
  'package-ecosystem',
  'directory',
  'directories',
  'schedule',
  'allow',
  'assignees',
  'commit-message',
  'cooldown',
  'exclude-paths',
  'groups',
  'ignore',
  'insecure-external-code-execution',
  'labels',
  'milestone',
  'open-pull-requests-limit',
  'pull-request-branch-name',
  'rebase-strategy',
  'registries',
  'target-branch',
  'vendor',
  'versioning-strategy',
]);
const ECOSYSTEMS = new Set([
  'bun',
  'bundler',
  'cargo',
  'composer',
  'devcontainers',
  'docker',
  'docker-compose',
  'dotnet-sdk',
  'elm',
  'github-actions',
  'gitsubmodule',
  'gomod',
  'gradle',
  'helm',
  'maven',
  'mix',
  'npm',
  'nuget',
  'pip',
  'pub',
  'swift',
  'terraform',
  'uv',
]);
const INTERVALS = new Set([
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'semiannually',
  'yearly',
  'cron',
]);
const DAYS = new Set([
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
]);
const SCHEDULE_KEYS = new Set(['interval', 'day', 'time', 'timezone', 'cronjob']);
/** Per-SemVer cooldown keys are refused for ecosystems without semantic versions (github-actions). */
const COOLDOWN_KEYS = new Set(['default-days', 'include', 'exclude']);
const SEMVER_COOLDOWN_KEYS = new Set([
  'semver-major-days',
  'semver-minor-days',
  'semver-patch-days',
]);
const GROUP_KEYS = new Set([
  'applies-to',
  'dependency-type',
  'patterns',
  'exclude-patterns',
  'update-types',
]);
const IGNORE_UPDATE_TYPES = new Set([
  'version-update:semver-major',
  'version-update:semver-minor',
  'version-update:semver-patch',
]);
const COMMIT_MESSAGE_KEYS = new Set(['prefix', 'prefix-development', 'include']);

type YamlMap = Record<string, unknown>;
const isMap = (value: unknown): value is YamlMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const unknownKeys = (value: YamlMap, known: Set<string>) =>
  Object.keys(value).filter((key) => !known.has(key));
const isDays = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 90;

export function dependabotProblems(config: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(config)) return ['The file is not a YAML mapping.'];
  for (const key of unknownKeys(config, TOP_LEVEL)) problems.push(`Unknown top-level key ${key}.`);
  if (config.version !== 2) problems.push('version must be 2.');
  if (!Array.isArray(config.updates) || config.updates.length === 0) {
    return [...problems, 'updates must be a non-empty list.'];
  }
  config.updates.forEach((update: unknown, i) => {
    if (!isMap(update)) {
      problems.push(`updates[${i}] is not a mapping.`);
      return;
    }
    const ecosystem = update['package-ecosystem'];
    const where = `updates[${i}] (${String(ecosystem)})`;
    for (const key of unknownKeys(update, UPDATE_KEYS))
      problems.push(`${where}: unknown key ${key}.`);
    if (typeof ecosystem !== 'string' || !ECOSYSTEMS.has(ecosystem)) {
      problems.push(`${where}: package-ecosystem is not one Dependabot knows.`);
    }
    if (typeof update.directory !== 'string' && !Array.isArray(update.directories)) {
      problems.push(`${where}: directory or directories is required.`);
    }

    const schedule = update.schedule;
    if (!isMap(schedule) || !INTERVALS.has(String(schedule.interval))) {
      problems.push(`${where}: schedule.interval must be one of ${[...INTERVALS].join(', ')}.`);
    } else {
      for (const key of unknownKeys(schedule, SCHEDULE_KEYS)) {
        problems.push(`${where}: unknown schedule key ${key}.`);
      }
      if (schedule.day !== undefined && !DAYS.has(String(schedule.day))) {
        problems.push(`${where}: schedule.day must be a day of the week in lower case.`);
      }
      if (schedule.time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(schedule.time))) {
        problems.push(`${where}: schedule.time must be hh:mm.`);
      }
    }

    if (update.cooldown !== undefined) {
      const cooldown = update.cooldown;
      const semver = ecosystem !== 'github-actions';
      if (!isMap(cooldown)) {
        problems.push(`${where}: cooldown must be a mapping.`);
      } else {
        const known = semver ? new Set([...COOLDOWN_KEYS, ...SEMVER_COOLDOWN_KEYS]) : COOLDOWN_KEYS;
        for (const key of unknownKeys(cooldown, known)) {
          problems.push(`${where}: cooldown key ${key} is not supported here.`);
        }
        for (const [key, value] of Object.entries(cooldown)) {
          if (key.endsWith('-days') && !isDays(value)) {
            problems.push(`${where}: cooldown.${key} must be a whole number of days from 1 to 90.`);
          }
        }
      }
    }

    if (update.groups !== undefined) {
      if (!isMap(update.groups)) problems.push(`${where}: groups must be a mapping.`);
      else {
        for (const [name, group] of Object.entries(update.groups)) {
          if (!isMap(group)) {
            problems.push(`${where}: group ${name} must be a mapping.`);
            continue;
          }
          for (const key of unknownKeys(group, GROUP_KEYS)) {
            problems.push(`${where}: group ${name} has unknown key ${key}.`);
          }
          if (!['patterns', 'dependency-type', 'update-types'].some((key) => key in group)) {
            problems.push(
              `${where}: group ${name} needs patterns, dependency-type or update-types.`,
            );
          }
          const type = group['dependency-type'];
          if (type !== undefined && !['development', 'production'].includes(String(type))) {
            problems.push(
              `${where}: group ${name}'s dependency-type must be development or production.`,
            );
          }
          const types = group['update-types'];
          if (
            types !== undefined &&
            !(Array.isArray(types) && types.every((t) => ['major', 'minor', 'patch'].includes(t)))
          ) {
            problems.push(
              `${where}: group ${name}'s update-types must list major, minor or patch.`,
            );
          }
        }
      }
    }

    if (update.ignore !== undefined) {
      const ignore = Array.isArray(update.ignore) ? update.ignore : [];
      if (!Array.isArray(update.ignore)) problems.push(`${where}: ignore must be a list.`);
      for (const rule of ignore) {
        if (!isMap(rule) || typeof rule['dependency-name'] !== 'string') {
          problems.push(`${where}: every ignore rule needs a dependency-name.`);
          continue;
        }
        const types = rule['update-types'];
        if (
          types !== undefined &&
          !(Array.isArray(types) && types.every((t) => IGNORE_UPDATE_TYPES.has(t)))
        ) {
          problems.push(
            `${where}: ignore update-types must be version-update:semver-major, -minor or -patch.`,
          );
        }
      }
    }

    if (update['commit-message'] !== undefined) {
      const message = update['commit-message'];
      if (!isMap(message)) problems.push(`${where}: commit-message must be a mapping.`);
      else {
        for (const key of unknownKeys(message, COMMIT_MESSAGE_KEYS)) {
          problems.push(`${where}: unknown commit-message key ${key}.`);
        }
        if (typeof message.prefix === 'string' && message.prefix.length > 50) {
          problems.push(`${where}: commit-message.prefix is longer than 50 characters.`);
        }
      }
    }
  });
  return problems;
}
