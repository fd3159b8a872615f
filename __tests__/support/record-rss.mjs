// Preloaded with `node --import`: when the process exits, writes its peak resident set size in
// bytes to the file named by RECORD_RSS_TO, so a test can bound the memory a run took.
import { writeFileSync } from 'node:fs';

const file = process.env.RECORD_RSS_TO;
if (!file) throw new Error('record-rss.mjs: set RECORD_RSS_TO to the file to write');
process.on('exit', () => {
  // resourceUsage().maxRSS is in kilobytes.
  writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
