// The schema before and after: snapshot, difference, rendering, rollback proof. Re-exports only.
export * from './diff.js';
export * from './render.js';
export * from './scope.js';
export * from './snapshot.js';
