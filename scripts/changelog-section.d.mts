// Types of scripts/changelog-section.mjs, for the tests (the script itself is plain JavaScript).
export function changelogSection(changelog: string, version: string): string;
