// The files a team reads before trusting the action: LICENSE, SECURITY.md, CHANGELOG.md, and the
// README's links to them (every relative link and anchor must resolve).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchors = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? '')));

describe('LICENSE', () => {
  it("is the MIT license that package.json's license field names", () => {
    expect(JSON.parse(read('package.json')).license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} \S/);
    expect(read('LICENSE')).toContain(
      'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND',
    );
  });
});

describe('SECURITY.md', () => {
  it('says how to report privately, which versions get fixes, and what happens to the secrets', () => {
    const headings = anchors(read('SECURITY.md'));
    for (const heading of [
      'reporting-a-vulnerability',
      'supported-versions',
      'what-the-action-does-with-your-secrets',
    ]) {
      expect(headings).toContain(heading);
    }
    expect(read('SECURITY.md')).toContain('/security/advisories/new');
  });
});

describe('README.md', () => {
  const readme = read('README.md');

  it('links the changelog, the security policy and the license before its first section', () => {
    const top = readme.slice(0, readme.indexOf('\n## '));
    for (const target of [
      '(CHANGELOG.md)',
      '(SECURITY.md)',
      '(LICENSE)',
      '(#versions-and-stability)',
    ]) {
      expect(top).toContain(target);
    }
  });

  it('has the sections Versions and stability, Security and License', () => {
    const headings = anchors(readme);
    for (const heading of ['versions-and-stability', 'security', 'license']) {
      expect(headings).toContain(heading);
    }
  });
});

describe.each(['README.md', 'SECURITY.md', 'CHANGELOG.md'])('the relative links of %s', (file) => {
  it('point at files that exist and headings that exist', () => {
    const text = read(file);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target));
    const broken = links.filter((target) => {
      const [file_, anchor] = target.split('#');
      const linked = file_ ? path.join(root, file_) : path.join(root, file);
      if (!existsSync(linked)) return true;
      return anchor !== undefined && linked.endsWith('.md')
        ? !anchors(readFileSync(linked, 'utf8')).has(anchor)
        : false;
    });
    expect(links.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
