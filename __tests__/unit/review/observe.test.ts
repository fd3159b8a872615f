import { describe, expect, it } from 'vitest';
import {
  catalogPermissionSentence,
  isCatalogPermissionError,
  isLockLimitError,
  lockLimitSentence,
  lockModeName,
  lockStrength,
  observeErrorSentence,
} from '../../../src/review/observe/index.js';

// The fields PostgreSQL sends (lock.c; the hint quotes the setting since PostgreSQL 17).
const lockTableFull = {
  code: '53200',
  message: 'out of shared memory',
  hint: 'You might need to increase max_locks_per_transaction.',
};

describe('lock modes', () => {
  it('spells pg_locks’ modes as the documentation does', () => {
    expect(lockModeName('AccessExclusiveLock')).toBe('ACCESS EXCLUSIVE');
    expect(lockModeName('ShareRowExclusiveLock')).toBe('SHARE ROW EXCLUSIVE');
    expect(lockModeName('ShareLock')).toBe('SHARE');
  });

  it('ranks both spellings from ACCESS SHARE to ACCESS EXCLUSIVE', () => {
    expect(lockStrength('AccessShareLock')).toBe(1);
    expect(lockStrength('SHARE UPDATE EXCLUSIVE')).toBe(4);
    expect(lockStrength('ACCESS EXCLUSIVE')).toBe(8);
    expect(lockStrength('advisory')).toBe(0);
  });
});

describe('error sentences', () => {
  it('recognises a full lock table by SQLSTATE 53200 and its hint, in either quoting', () => {
    expect(isLockLimitError(lockTableFull)).toBe(true);
    expect(
      isLockLimitError({
        ...lockTableFull,
        hint: 'You might need to increase "max_locks_per_transaction".',
      }),
    ).toBe(true);
    expect(
      isLockLimitError({
        ...lockTableFull,
        hint: 'You might need to increase "max_pred_locks_per_transaction".',
      }),
    ).toBe(false);
    expect(isLockLimitError({ code: '53200', message: 'out of memory' })).toBe(false);
  });

  it('says a full lock table is a limit of the rehearsal, with the setting when known', () => {
    expect(observeErrorSentence(lockTableFull, 64)).toBe(lockLimitSentence(64));
    expect(lockLimitSentence(64)).toContain('max_locks_per_transaction (64 on this server)');
    expect(lockLimitSentence()).toContain('not an error in the migrations');
  });

  it('maps a denied catalog view to one sentence naming it', () => {
    const denied = { code: '42501', message: 'permission denied for view pg_locks' };
    expect(isCatalogPermissionError(denied)).toBe(true);
    expect(observeErrorSentence(denied)).toBe(catalogPermissionSentence(denied));
    expect(catalogPermissionSentence(denied)).toContain('(permission denied for view pg_locks)');
  });

  it('leaves other errors alone', () => {
    expect(
      observeErrorSentence({ code: '42501', message: 'permission denied for table posts' }),
    ).toBeUndefined();
    expect(observeErrorSentence(new Error('boom'))).toBeUndefined();
    expect(observeErrorSentence(undefined)).toBeUndefined();
  });
});
