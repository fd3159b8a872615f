import { describe, expect, it } from 'vitest';
import {
  readDieselMetadata,
  readFlywayScriptConfig,
  readSettings,
} from '../../../../src/files/layouts/index.js';

const PATH = '2024-02-12-120203_x/metadata.toml';

describe('readDieselMetadata', () => {
  it('reads run_in_transaction = false and true, ignoring comments and other keys', () => {
    expect(readDieselMetadata('# index\nrun_in_transaction = false # CIC\n', PATH)).toEqual({
      noTransaction: true,
      errors: [],
    });
    expect(
      readDieselMetadata('owner = "ops"\nlist = [\n  1,\n  2,\n]\nrun_in_transaction=true\n', PATH),
    ).toEqual({ noTransaction: false, errors: [] });
  });

  it("takes a file without the key as no transaction, as diesel's serde default does", () => {
    expect(readDieselMetadata('owner = "ops"\n', PATH).noTransaction).toBe(true);
  });

  it('ignores run_in_transaction inside a table', () => {
    expect(
      readDieselMetadata('run_in_transaction = true\n[extra]\nrun_in_transaction = false\n', PATH),
    ).toEqual({ noTransaction: false, errors: [] });
  });

  it('names file and line of a malformed line or value', () => {
    expect(
      readDieselMetadata('run_in_transaction = true\nthis is not toml\n', PATH).errors,
    ).toEqual([`${PATH}:2: \`this is not toml\` is not a TOML key = value line.`]);
    expect(readDieselMetadata('run_in_transaction = "no"\n', PATH).errors).toEqual([
      `${PATH}:1: run_in_transaction must be true or false, not "no".`,
    ]);
  });
});

describe('readFlywayScriptConfig', () => {
  const CONF = 'V3__index.sql.conf';

  it('reads executeInTransaction=false, with or without the flyway. prefix', () => {
    expect(readFlywayScriptConfig('# CIC\nexecuteInTransaction=false\n', CONF)).toEqual({
      noTransaction: true,
      errors: [],
    });
    expect(
      readFlywayScriptConfig('flyway.executeInTransaction = false\n', CONF).noTransaction,
    ).toBe(true);
    expect(readFlywayScriptConfig('placeholderReplacement=false\n', CONF)).toEqual({
      noTransaction: false,
      errors: [],
    });
  });

  it('refuses shouldExecute and encodings other than UTF-8, naming file and line', () => {
    expect(
      readFlywayScriptConfig('encoding=UTF-8\nshouldExecute=false\nencoding=ISO_8859_1\n', CONF)
        .errors,
    ).toEqual([
      `${CONF}:2: shouldExecute makes the migration conditional, which the action does not support; remove it.`,
      `${CONF}:3: the action reads migrations as UTF-8, not ISO_8859_1.`,
    ]);
  });
});

describe('readSettings', () => {
  it("reads each layout's settings file with its own reader", () => {
    expect(readSettings('diesel', 'run_in_transaction = false\n', PATH).noTransaction).toBe(true);
    expect(
      readSettings('flyway', 'executeInTransaction=false\n', 'V1__a.sql.conf').noTransaction,
    ).toBe(true);
    expect(readSettings('prisma', 'anything', 'x').noTransaction).toBe(false);
  });
});
