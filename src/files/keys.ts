// Versions that do not fit bigint or do not order as numbers (Flyway's `1.7`, popx's 20 digits,
// diesel's text order): the tracking table's stand-in version, the layout's order, and a version
// input read in the layout's own terms. Pure.
import { hash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import {
  canonicalDigits,
  compareDecimals,
  compareKeys,
  flywayKey,
  type LayoutId,
  MAX_INT64,
  sortable,
} from './layouts/index.js';
import { byVersion, keyOf } from './naming.js';

/** Anything with a version: a migration, a tracking row, a plan entry, a to-version. */
export interface Versioned {
  version: bigint;
  /** The exact identity when `version` is only a stand-in (see `standInVersion`). */
  key?: string;
}

/** Orders two versions of one folder as its layout's tool does; 0 means the same version. */
export type VersionOrder = (a: Versioned, b: Versioned) => number;

/**
 * The tracking table's `version` for a key that is not the decimal of a bigint: a negative number
 * (from -2^63 to -1) taken from the key's SHA-256, so it never equals a real version (those are
 * 0 or more) and every run, on every machine, derives the same number from the same key.
 */
export function standInVersion(key: string): bigint {
  // The one-shot hash in hex (its default: 'buffer' output takes Node's slow encoding path), and
  // its first 16 hex digits as the number: a Hash object and readBigUInt64BE per key cost a noop
  // of 1,000 popx files about 20 ms in a fresh process; this is the same number.
  const first = BigInt(`0x${hash('sha256', key).slice(0, 16)}`);
  return -1n - (first & 0x7fff_ffff_ffff_ffffn);
}

/**
 * A decimal that PostgreSQL's bigint holds (`0` to 9223372036854775807); leading zeros allowed, as
 * a file's version `00042` is the number 42 (and a diesel record `00000000000000` is version 0).
 */
function fitsBigint(key: string): boolean {
  if (!/^\d+$/.test(key)) return false;
  return compareDecimals(canonicalDigits(key), MAX_INT64) <= 0;
}

/**
 * The tracking table's version for a layout's key: the number itself when it fits bigint (Flyway's
 * `42`, any popx version up to 19 digits), else a stand-in with the key kept as the identity.
 */
export function versionOfKey(key: string): Versioned {
  return fitsBigint(key) ? { version: BigInt(key) } : { version: standInVersion(key), key };
}

/**
 * The order of a layout's versions, when it is not the plain numeric one: Flyway's part by part
 * and popx's exact decimals (numbers decide while neither side has a key), diesel's text. Plain and
 * the other layouts order by `version` alone (undefined: the caller compares bigints directly).
 */
export function versionOrder(layout: LayoutId): VersionOrder | undefined {
  if (layout === 'flyway' || layout === 'popx') {
    // Each key's sortable string once (`compareKeys` order as code units): sorting 10,000 Flyway
    // rows then splits no key per comparison.
    const sortables = new Map<string, string>();
    const sortableOf = (versioned: Versioned): string => {
      const key = keyOf(versioned);
      let order = sortables.get(key);
      if (order === undefined) {
        order = sortable(layout, key);
        sortables.set(key, order);
      }
      return order;
    };
    return (a, b) => {
      if (a.key === undefined && b.key === undefined) return byVersion(a, b);
      const orderA = sortableOf(a);
      const orderB = sortableOf(b);
      return orderA < orderB ? -1 : orderA > orderB ? 1 : 0;
    };
  }
  // diesel compares its versions as text: `202402121202030000` sorts before `20240301000000`.
  if (layout === 'diesel') return (a, b) => compareKeys('diesel', keyOf(a), keyOf(b));
  return undefined;
}

/** A version given as an input (`to-version`, `baseline-version`), read in the folder's layout. */
export interface VersionInput extends Versioned {
  /** As given: what sentences about it show. */
  label: string;
}

/**
 * Reads a version input as the layout writes versions: Flyway's dotted parts (`1.7`, `2.0.3`,
 * `1_7`), diesel's digits and dashes (`2024-02-12-120203`), digits for the others (popx's 20
 * digits included); canonicalised with the layout's own key, so `1.07` or `1.7.0` finds `V1.7__x.sql` as
 * Flyway would. Anything else is a ConfigurationError naming the input.
 */
export function readVersionInput(layout: LayoutId, input: string, text: string): VersionInput {
  const key = keyOfInput(layout, text);
  if (key === undefined) {
    const example =
      layout === 'flyway'
        ? 'a Flyway version such as 1.7 or 2.0.3'
        : layout === 'diesel'
          ? 'a diesel version such as 20240212120203'
          : 'a migration version number such as 3';
    throw new ConfigurationError(`Input ${input} is "${text}", but it must be ${example}.`);
  }
  return { ...versionOfKey(key), label: text };
}

function keyOfInput(layout: LayoutId, text: string): string | undefined {
  if (layout === 'flyway') return flywayKey(text);
  if (layout === 'diesel') {
    // The canonical number the tracking table keeps (the plan compares those as text).
    return /^[0-9][0-9-]*$/.test(text) ? canonicalDigits(text.replaceAll('-', '')) : undefined;
  }
  return /^\d+$/.test(text) ? canonicalDigits(text) : undefined;
}
