// The release notes the release workflow takes from CHANGELOG.md (scripts/changelog-section.mjs).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { changelogSection } from '../../../scripts/changelog-section.mjs';

const root = path.resolve(import.meta.dirname, '../../..');

const changelog = `# Changelog

Intro with a [link][keep].

## [Unreleased]

- Not yet.

## [1.1.0] - 2027-01-15

### Added

- The \`rollback\` command ([#12][pr-12]).

### Fixed

- A typo.

## [1.0.0] - 2026-12-07

The first release.

[keep]: https://keepachangelog.com/en/1.1.0/
[pr-12]: https://github.com/agoat/migrate-action/pull/12
[Unreleased]: https://github.com/agoat/migrate-action/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/agoat/migrate-action/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/agoat/migrate-action/releases/tag/v1.0.0
`;

describe('changelogSection', () => {
  it('returns the lines between the version heading and the next one, with the definitions of the links they use', () => {
    expect(changelogSection(changelog, '1.1.0')).toBe(
      [
        '### Added',
        '',
        '- The `rollback` command ([#12][pr-12]).',
        '',
        '### Fixed',
        '',
        '- A typo.',
        '',
        '[pr-12]: https://github.com/agoat/migrate-action/pull/12',
        '',
      ].join('\n'),
    );
  });

  it('accepts the tag name as well as the version', () => {
    expect(changelogSection(changelog, 'v1.1.0')).toBe(changelogSection(changelog, '1.1.0'));
  });

  it('leaves the link definitions at the end of the file out of the last section', () => {
    expect(changelogSection(changelog, '1.0.0')).toBe('The first release.\n');
  });

  it('reads a file with CRLF line endings', () => {
    expect(changelogSection(changelog.replace(/\n/g, '\r\n'), '1.0.0')).toBe(
      'The first release.\n',
    );
  });

  it('refuses a version without a section, naming the heading to add', () => {
    expect(() => changelogSection(changelog, '1.2.0')).toThrow(
      'CHANGELOG.md has no section for 1.2.0: add "## [1.2.0] - YYYY-MM-DD" with its changes before tagging v1.2.0.',
    );
  });

  it('does not take a version that is only a prefix of a heading', () => {
    expect(() => changelogSection(changelog, '1.1')).toThrow('no section for 1.1:');
  });

  it('refuses a section without a release date', () => {
    expect(() => changelogSection('## [1.2.0]\n\n- Something.\n', '1.2.0')).toThrow(
      "CHANGELOG.md's heading for 1.2.0 has no release date",
    );
  });

  it('refuses an empty section', () => {
    expect(() =>
      changelogSection('## [1.2.0] - 2027-02-01\n\n## [1.1.0] - 2027-01-15\n', '1.2.0'),
    ).toThrow("CHANGELOG.md's section for 1.2.0 is empty");
  });
});

describe("the repository's CHANGELOG.md", () => {
  it("has a dated, non-empty section for package.json's version", () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const text = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelogSection(text, version)).toContain('The first release.');
  });

  it('keeps an Unreleased section and a link definition for every version heading', () => {
    const text = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    const headings = [...text.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
    const definitions = [...text.matchAll(/^\[([^\]]+)\]: https:\/\/\S+$/gm)].map((m) => m[1]);
    expect(headings[0]).toBe('Unreleased');
    expect(definitions).toEqual(expect.arrayContaining(headings));
  });
});
