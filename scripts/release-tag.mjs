// Checks a pushed release tag before the release workflow publishes it, and says where the major
// tag goes. Reads package.json, CHANGELOG.md and `git tag`; never writes a tag or a file other
// than $GITHUB_OUTPUT.
//   node scripts/release-tag.mjs v1.2.3   prints version=, major= and move-major= lines
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changelogSection } from './changelog-section.mjs';

/** A release tag: `v` and three plain numbers, no pre-release or build suffix. */
const RELEASE_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `v1.2.3` → its version `1.2.3`, major tag `v1` and numbers; throws one sentence otherwise. */
export function parseReleaseTag(tag) {
  const match = RELEASE_TAG.exec(tag);
  if (!match) {
    throw new Error(
      `Tag "${tag}" is not a release tag: it must be v<major>.<minor>.<patch>, such as v1.2.3.`,
    );
  }
  const numbers = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { version: tag.slice(1), major: `v${numbers[0]}`, numbers };
}

/**
 * Whether `tag` is the highest release of its major among `tags` (other tags, such as `v1` itself,
 * are ignored), so that releasing a fix to an older minor never moves the major tag backwards.
 */
export function isNewestOfMajor(tag, tags) {
  const { numbers } = parseReleaseTag(tag);
  return tags
    .filter((other) => RELEASE_TAG.test(other))
    .map((other) => parseReleaseTag(other).numbers)
    .filter((other) => other[0] === numbers[0])
    .every((other) => compare(other, numbers) <= 0);
}

function compare(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Everything the workflow checks before publishing `tag`: the tag's form, package.json's version,
 * the changelog's section (returned as the release notes), and whether the major tag moves.
 */
export function checkRelease({ tag, packageVersion, changelog, tags }) {
  const { version, major } = parseReleaseTag(tag);
  if (packageVersion !== version) {
    throw new Error(
      `package.json's version is ${packageVersion} but the tag is ${tag}: set "version": "${version}" (npm version ${version} --no-git-tag-version) and tag that commit.`,
    );
  }
  const notes = changelogSection(changelog, version);
  return { version, major, moveMajor: isNewestOfMajor(tag, tags), notes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tag = process.argv[2];
  if (!tag) {
    console.error('Usage: node scripts/release-tag.mjs v1.2.3');
    process.exit(2);
  }
  try {
    const result = checkRelease({
      tag,
      packageVersion: JSON.parse(readFileSync('package.json', 'utf8')).version,
      changelog: readFileSync('CHANGELOG.md', 'utf8'),
      tags: execFileSync('git', ['tag', '--list', 'v*'], { encoding: 'utf8' }).split('\n'),
    });
    const lines = `version=${result.version}\nmajor=${result.major}\nmove-major=${result.moveMajor}\n`;
    process.stdout.write(lines);
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
