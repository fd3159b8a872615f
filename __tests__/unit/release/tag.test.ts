// The checks of a pushed release tag and where the major tag goes (scripts/release-tag.mjs).
import { describe, expect, it } from 'vitest';
import { checkRelease, isNewestOfMajor, parseReleaseTag } from '../../../scripts/release-tag.mjs';

const changelog = '## [Unreleased]\n\n## [1.2.0] - 2027-02-01\n\n- Something new.\n';

describe('parseReleaseTag', () => {
  it('splits v1.2.3 into its version and major tag', () => {
    expect(parseReleaseTag('v1.2.3')).toEqual({
      version: '1.2.3',
      major: 'v1',
      numbers: [1, 2, 3],
    });
    expect(parseReleaseTag('v10.0.12')).toEqual({
      version: '10.0.12',
      major: 'v10',
      numbers: [10, 0, 12],
    });
  });

  it.each(['v1', 'v1.2', '1.2.3', 'v1.2.3-rc.1', 'v1.2.3+build', 'v01.2.3', 'release-1.2.3'])(
    'refuses %s with the form it expects',
    (tag) => {
      expect(() => parseReleaseTag(tag)).toThrow(
        `Tag "${tag}" is not a release tag: it must be v<major>.<minor>.<patch>, such as v1.2.3.`,
      );
    },
  );
});

describe('isNewestOfMajor', () => {
  const tags = ['v1', 'v1.0.0', 'v1.1.0', 'v1.10.0', 'v2', 'v2.0.0', 'not-a-release'];

  it('is true for a release above every other of its major', () => {
    expect(isNewestOfMajor('v1.10.1', [...tags, 'v1.10.1'])).toBe(true);
  });

  it('compares numbers, not text (1.10 is above 1.9)', () => {
    expect(isNewestOfMajor('v1.9.0', [...tags, 'v1.9.0'])).toBe(false);
  });

  it('is false for a fix to an older minor, so the major tag never moves back', () => {
    expect(isNewestOfMajor('v1.1.1', [...tags, 'v1.1.1'])).toBe(false);
  });

  it('ignores releases of other majors', () => {
    expect(isNewestOfMajor('v1.10.0', tags)).toBe(true);
  });

  it('is true for the first release of a major', () => {
    expect(isNewestOfMajor('v3.0.0', tags)).toBe(true);
    expect(isNewestOfMajor('v1.0.0', [])).toBe(true);
  });
});

describe('checkRelease', () => {
  it('returns the version, major tag, whether it moves, and the notes', () => {
    expect(
      checkRelease({ tag: 'v1.2.0', packageVersion: '1.2.0', changelog, tags: ['v1.1.0'] }),
    ).toEqual({ version: '1.2.0', major: 'v1', moveMajor: true, notes: '- Something new.\n' });
  });

  it("refuses a tag that does not match package.json's version", () => {
    expect(() =>
      checkRelease({ tag: 'v1.2.0', packageVersion: '1.1.0', changelog, tags: [] }),
    ).toThrow(`package.json's version is 1.1.0 but the tag is v1.2.0: set "version": "1.2.0"`);
  });

  it('refuses a tag whose version has no changelog section', () => {
    expect(() =>
      checkRelease({ tag: 'v1.3.0', packageVersion: '1.3.0', changelog, tags: [] }),
    ).toThrow('CHANGELOG.md has no section for 1.3.0');
  });
});
