// npm run demo: migrates migrations/ into a throwaway embedded PostgreSQL by running dist/index.js
// the way the GitHub runner does, prints each job summary in the terminal, runs a second time to
// show `up-to-date`, and removes the server and its files.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { StartError, startPostgres } from './postgres.mjs';

const root = path.resolve(import.meta.dirname, '..');

const ENTITIES = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#124;': '|',
  '&nbsp;': ' ',
};
const text = (html) =>
  html.replace(/<[^>]+>/g, '').replace(/&[#a-z0-9]+;/g, (e) => ENTITIES[e] ?? e);

/** The summary's HTML as terminal text: headings, the verdict, the table in aligned columns. */
function renderForTerminal(html) {
  const out = [];
  const rows = [];
  const flush = () => {
    if (rows.length === 0) return;
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows)
      out.push(
        `  ${r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd()}`,
      );
    rows.length = 0;
  };
  for (const line of html.split('\n')) {
    if (line.startsWith('<tr>')) {
      rows.push([...line.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((m) => text(m[1]).trim()));
      continue;
    }
    flush();
    if (line.startsWith('<h3>')) out.push(`\n== ${text(line)} ==`);
    else if (line.startsWith('<h4>')) out.push(`\n${text(line)}:`);
    else if (line.startsWith('<li>')) out.push(`  - ${text(line.replaceAll('<br>', ' '))}`);
    else if (text(line).trim()) out.push(text(line));
  }
  flush();
  return out.join('\n');
}

process.stdout.write('Starting a throwaway PostgreSQL… ');
let server;
try {
  server = await startPostgres({ label: 'demo', password: 'demo-password' });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE agoat_publisher');
  await admin.end();
} catch (error) {
  await server?.stop().catch(() => undefined);
  // One sentence, not a stack trace: the reader must see what to do.
  console.log('failed.');
  console.error(
    error instanceof StartError ? error.message : `Could not start PostgreSQL: ${error.message}`,
  );
  process.exit(1);
}
console.log(`ready on port ${server.port}.`);

const work = await mkdtemp(path.join(tmpdir(), 'migrate-action-demo-'));
let failed = false;
try {
  const url = server.url('agoat_publisher');

  for (const run of ['first run', 'second run']) {
    const summary = path.join(work, `summary-${run}.md`);
    const output = path.join(work, `output-${run}`);
    await writeFile(summary, '');
    await writeFile(output, '');
    console.log(`\n---- ${run}: node dist/index.js ----`);
    const result = spawnSync(process.execPath, [path.join(root, 'dist/index.js')], {
      stdio: 'inherit',
      env: {
        ...process.env,
        'INPUT_DATABASE-URL': url,
        INPUT_COMMAND: 'migrate',
        GITHUB_WORKSPACE: root,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
      },
    });
    console.log(`\n---- ${run}: job summary (exit code ${result.status}) ----`);
    console.log(renderForTerminal(await readFile(summary, 'utf8')));
    const outputs = (await readFile(output, 'utf8')).match(/^result<<(.+)\n(.*)$/m);
    console.log(`\noutput result=${outputs?.[2] ?? '?'}`);
    if (result.status !== 0) failed = true;
  }
} finally {
  await server.stop().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
  console.log('\nThe throwaway PostgreSQL is stopped and its files are removed.');
}
process.exitCode = failed ? 1 : 0;
