import { describe, expect, it } from 'vitest';
import { searchPathOption } from '../../../src/db/connect.js';
import { qualifiedName, quoteIdentifier } from '../../../src/history/table.js';

describe('searchPathOption', () => {
  it('quotes a plain schema as an identifier', () => {
    expect(searchPathOption('tenant_1')).toBe('-c search_path="tenant_1"');
  });

  it('doubles a quote and escapes spaces and backslashes, as the server splits the options', () => {
    expect(searchPathOption('a "b" c\\d')).toBe('-c search_path="a\\ ""b""\\ c\\\\d"');
  });
});

describe('qualifiedName', () => {
  it('quotes each name and doubles the quotes inside a schema name', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(qualifiedName({ schema: 'we"ird', table: 'schema_migrations' })).toBe(
      '"we""ird"."schema_migrations"',
    );
  });
});
