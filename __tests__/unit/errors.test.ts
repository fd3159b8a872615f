import { describe, expect, it } from 'vitest';
import { messageOf } from '../../src/errors.js';

describe('messageOf', () => {
  it('turns any thrown value into a sentence, never [object Object]', async () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf({ message: 'from an object' })).toBe('from an object');
    const plain = messageOf({ status: 7 });
    expect(plain).not.toContain('[object Object]');
    expect(plain).toBe(
      'The action stopped on an unexpected error (object {"status":7}): please report it at https://github.com/agoat/migrate-action/issues with this log.',
    );
  });
});
