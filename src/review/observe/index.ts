// The rehearsal's observer: relations before, per-statement traces, its error sentences. Re-exports only.
export * from './errors.js';
export * from './locks.js';
export * from './relations.js';
export * from './tracer.js';
