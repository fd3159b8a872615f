// Preloaded with `node --import`: appends the URL of every module node loads (the entry, its
// static imports and every dynamically imported chunk) to the file named by RECORD_LOADS_TO, one
// a line, so a test can tell which parts of the bundle a run really loaded.
import { appendFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

const file = process.env.RECORD_LOADS_TO;
if (!file) throw new Error('record-loads.mjs: set RECORD_LOADS_TO to the file to append to');
if (typeof nodeModule.registerHooks !== 'function') {
  throw new Error('record-loads.mjs needs module.registerHooks (Node 22.15 or later)');
}
nodeModule.registerHooks({
  load(url, context, nextLoad) {
    appendFileSync(file, `${url}\n`);
    return nextLoad(url, context);
  },
});
