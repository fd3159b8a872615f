// The entry point that dist/index.js runs.
import { run } from './main.js';

await run();
// Exit now rather than when the event loop drains: after the SQL parser (WebAssembly) has been
// used, a natural exit waits for V8's background work on it (see importParser in sql.ts).
process.exit();
