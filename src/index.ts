import { run } from './main.js';

await run();
// Exit now rather than when the event loop drains: after the SQL parser (WebAssembly) has been
// used, V8 keeps optimising it in the background and a natural exit waits seconds for that.
process.exit();
