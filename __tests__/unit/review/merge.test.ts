import { describe, expect, it } from 'vitest';
import { mergeObservations } from '../../../src/review/merge.js';
import type { Observation, Risk } from '../../../src/review/model.js';
import { lockModeName } from '../../../src/review/observe/locks.js';
import { CATALOG, lookupOf, predict } from './helpers.js';

const relation = lookupOf(CATALOG);

const observed = (line: number, facts: Partial<Observation> = {}): Observation => ({
  file: '002_change.sql',
  line,
  durationMs: 3,
  locks: [],
  rewritten: [],
  tables: [],
  ...facts,
});

/** The lock-timeout input bounds every wait (as in `predict`'s default context). */
const bounded = { lockWaitBounded: () => true };

const rules = (risks: readonly Risk[]) => risks.map((r) => `${r.rule} ${r.table} ${r.source}`);

describe('mergeObservations', () => {
  it('drops a predicted rewrite that the rehearsal saw not happen (varchar(10) to varchar(20))', async () => {
    const predicted = await predict('ALTER TABLE posts ALTER COLUMN title TYPE varchar(20)');
    expect(rules(predicted)).toEqual(['table-rewrite public.posts predicted']);
    const merged = mergeObservations(
      predicted,
      [observed(1, { locks: [{ mode: 'AccessExclusiveLock', relation: 'public.posts' }] })],
      relation,
      bounded,
    );
    expect(merged).toEqual([]);
  });

  it('marks a predicted rewrite that happened as observed, with the observed lock', async () => {
    const predicted = await predict(
      'ALTER TABLE posts ADD COLUMN t uuid DEFAULT gen_random_uuid()',
    );
    const merged = mergeObservations(
      predicted,
      [
        observed(1, {
          rewritten: ['public.posts'],
          locks: [{ mode: 'AccessExclusiveLock', relation: 'public.posts' }],
        }),
      ],
      relation,
      bounded,
    );
    expect(merged).toEqual([
      expect.objectContaining({
        rule: 'table-rewrite',
        source: 'observed',
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    ]);
  });

  it('keeps a partitioned table rewrite when its partitions were rewritten', async () => {
    const predicted = await predict('ALTER TABLE pt ALTER COLUMN a TYPE bigint', {
      columnType: () => 'integer',
    });
    const merged = mergeObservations(
      predicted,
      [observed(1, { rewritten: ['public.pt_2024'] })],
      relation,
    );
    expect(rules(merged)).toEqual(['table-rewrite public.pt observed']);
  });

  it('keeps predictions of statements the rehearsal did not observe', async () => {
    const predicted = await predict(
      'SELECT 1;\nALTER TABLE posts ALTER COLUMN title TYPE varchar(20);',
    );
    expect(mergeObservations(predicted, [observed(1)], relation)).toEqual(predicted);
  });

  it('replaces the predicted lock mode with the observed one, and keeps it when the lock was not observed (held earlier)', async () => {
    const predicted = await predict('CREATE INDEX i ON posts (a);\nCREATE INDEX j ON posts (b);');
    const merged = mergeObservations(
      predicted,
      [
        observed(1, {
          locks: [
            { mode: 'ShareLock', relation: 'public.posts' },
            { mode: 'AccessExclusiveLock', relation: 'public.posts' },
          ],
        }),
        observed(2),
      ],
      relation,
      bounded,
    );
    expect(merged.map((r) => r.lockMode)).toEqual(['ACCESS EXCLUSIVE', 'SHARE']);
  });

  it('drops a no-lock-timeout warning whose table was observed locked below ACCESS EXCLUSIVE', async () => {
    const predicted = await predict('ALTER TABLE posts ADD COLUMN note text', {
      lockTimeoutInput: false,
    });
    const merged = mergeObservations(
      predicted,
      [observed(1, { locks: [{ mode: 'ShareUpdateExclusiveLock', relation: 'public.posts' }] })],
      relation,
    );
    expect(merged).toEqual([]);
  });

  it('drops a SET NOT NULL scan that did not scan (a valid CHECK on the target), keeps one that did', async () => {
    const predicted = await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL');
    expect(mergeObservations(predicted, [observed(1)], relation)).toEqual([]);
    const scanned = observed(1, {
      tables: [{ relation: 'public.posts', inserted: 0, updated: 0, deleted: 0, seqScans: 1 }],
    });
    expect(rules(mergeObservations(predicted, [scanned], relation))).toEqual([
      'validating-scan public.posts predicted',
    ]);
  });

  it('keeps a foreign key scan even without an observed sequential scan', async () => {
    const predicted = await predict(
      'ALTER TABLE posts ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id)',
    );
    expect(rules(mergeObservations(predicted, [observed(1)], relation))).toEqual([
      'validating-scan public.posts predicted',
    ]);
  });

  it('turns an unpredicted rewrite into an observed table-rewrite after the statement’s predicted risks', async () => {
    const predicted = await predict(
      'ALTER TABLE users ADD COLUMN d my_domain DEFAULT 1;\nALTER TABLE posts DROP COLUMN x;',
    );
    expect(rules(predicted)).toEqual(['breaking-change public.posts predicted']);
    const merged = mergeObservations(
      predicted,
      [
        observed(1, {
          rewritten: ['public.users'],
          statement: 'ALTER TABLE users ADD COLUMN d my_domain DEFAULT 1',
        }),
        observed(2),
      ],
      relation,
      { lockWaitBounded: () => true },
    );
    expect(merged).toEqual([
      expect.objectContaining({ rule: 'breaking-change', line: 2 }),
      expect.objectContaining({
        rule: 'table-rewrite',
        level: 'danger',
        source: 'observed',
        line: 1,
        table: 'public.users',
        statement: 'ALTER TABLE users ADD COLUMN d my_domain DEFAULT 1',
        lockMode: 'ACCESS EXCLUSIVE',
        size: { rows: 40, bytes: 16_384 },
      }),
    ]);
  });

  it('does not add a rewrite for a table a predicted risk of the statement already names (TRUNCATE)', async () => {
    const predicted = await predict('TRUNCATE posts');
    const merged = mergeObservations(
      predicted,
      [observed(1, { rewritten: ['public.posts'] })],
      relation,
      { lockWaitBounded: () => true },
    );
    expect(rules(merged)).toEqual(['breaking-change public.posts predicted']);
  });

  it('turns an unpredicted ACCESS EXCLUSIVE lock into an observed no-lock-timeout only when the wait was unbounded', async () => {
    const predicted = await predict('CREATE POLICY p ON posts USING (true)', {
      lockTimeoutInput: false,
    });
    expect(predicted).toEqual([]);
    const observation = observed(1, {
      locks: [{ mode: 'AccessExclusiveLock', relation: 'public.posts' }],
      statement: 'CREATE POLICY p ON posts USING (true)',
    });
    expect(
      rules(
        mergeObservations(predicted, [observation], relation, { lockWaitBounded: () => false }),
      ),
    ).toEqual(['no-lock-timeout public.posts observed']);
    expect(
      mergeObservations(predicted, [observation], relation, { lockWaitBounded: () => true }),
    ).toEqual([]);
  });
});

describe('lockModeName', () => {
  it('spells pg_locks modes as PostgreSQL documents them', () => {
    expect(lockModeName('AccessExclusiveLock')).toBe('ACCESS EXCLUSIVE');
    expect(lockModeName('ShareUpdateExclusiveLock')).toBe('SHARE UPDATE EXCLUSIVE');
    expect(lockModeName('SHARE ROW EXCLUSIVE')).toBe('SHARE ROW EXCLUSIVE');
  });
});
