// The release notes of one version: its section of CHANGELOG.md (Keep a Changelog form), for the
// release workflow. Reads files only; never writes one, never calls git or the network.
//   node scripts/changelog-section.mjs v1.2.3 [CHANGELOG.md]   prints the section to stdout
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `## [1.2.3] - 2026-12-07`, and `## [Unreleased]`: the headings of a Keep a Changelog file. */
const HEADING = /^## \[([^\]]+)\](.*)$/;
/** A Markdown link reference definition, `[1.2.3]: https://…`, as the file keeps at its end. */
const DEFINITION = /^\[([^\]]+)\]:\s*\S+/;

/**
 * The body of `version`'s section (`1.2.3` or `v1.2.3`): the lines under its heading up to the next
 * `## ` heading, trimmed, followed by the link definitions the body uses, which live at the end of
 * the file and would otherwise be lost. Throws one sentence when the section is missing, has no
 * date, or is empty.
 */
export function changelogSection(changelog, version) {
  const wanted = version.replace(/^v/, '');
  const lines = changelog.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => HEADING.exec(line)?.[1] === wanted);
  if (start === -1) {
    throw new Error(
      `CHANGELOG.md has no section for ${wanted}: add "## [${wanted}] - YYYY-MM-DD" with its changes before tagging v${wanted}.`,
    );
  }
  if (!/^ - \d{4}-\d{2}-\d{2}\b/.test(HEADING.exec(lines[start])?.[2] ?? '')) {
    throw new Error(
      `CHANGELOG.md's heading for ${wanted} has no release date: write it as "## [${wanted}] - YYYY-MM-DD".`,
    );
  }
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const body = lines
    .slice(start + 1, next === -1 ? lines.length : next)
    .filter((line) => !DEFINITION.test(line))
    .join('\n')
    .trim();
  if (!body) throw new Error(`CHANGELOG.md's section for ${wanted} is empty: say what changed.`);

  // Reference-style links in the body resolve only with their definitions.
  const used = lines.filter((line) => {
    const label = DEFINITION.exec(line)?.[1];
    return label !== undefined && body.toLowerCase().includes(`[${label.toLowerCase()}]`);
  });
  return used.length ? `${body}\n\n${used.join('\n')}\n` : `${body}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [version, file = 'CHANGELOG.md'] = process.argv.slice(2);
  if (!version) {
    console.error('Usage: node scripts/changelog-section.mjs v1.2.3 [CHANGELOG.md]');
    process.exit(2);
  }
  try {
    process.stdout.write(changelogSection(readFileSync(file, 'utf8'), version));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
