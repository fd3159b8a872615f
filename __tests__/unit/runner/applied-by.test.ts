import { describe, expect, it } from 'vitest';
import { appliedBy } from '../../../src/runner/applied-by.js';

describe('appliedBy', () => {
  it('names the repository, run, attempt and commit on Actions', () => {
    expect(
      appliedBy({
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'agoat/publisher',
        GITHUB_RUN_ID: '9876543210',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        USER: 'runner',
      }),
    ).toBe('agoat/publisher run 9876543210/2 at 0123456789ab');
  });

  it('leaves out the attempt and commit when they are not set', () => {
    expect(appliedBy({ GITHUB_REPOSITORY: 'agoat/publisher', GITHUB_RUN_ID: '17' })).toBe(
      'agoat/publisher run 17',
    );
  });

  it('names the user outside GitHub Actions', () => {
    const text = appliedBy({ USER: 'alice' });
    expect(text).toContain('alice');
    expect(text).toContain('outside GitHub Actions');
  });

  it('says unknown user when USER is not set either', () => {
    expect(appliedBy({})).toContain('unknown user');
  });
});
