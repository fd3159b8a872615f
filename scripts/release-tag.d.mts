// Types of scripts/release-tag.mjs, for the tests (the script itself is plain JavaScript).
export function parseReleaseTag(tag: string): {
  version: string;
  major: string;
  numbers: [number, number, number];
};
export function isNewestOfMajor(tag: string, tags: readonly string[]): boolean;
export function checkRelease(release: {
  tag: string;
  packageVersion: string;
  changelog: string;
  tags: readonly string[];
}): { version: string; major: string; moveMajor: boolean; notes: string };
