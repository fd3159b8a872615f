// ALTER TABLE: the lock each subcommand takes (the statement holds the strongest) and the rewrite, validating scan and breaking change it makes on an existing table. Pure.
import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, Node } from 'libpg-query';
import type { RuleId } from '../model.js';
import {
  fixedUtc,
  mayBeCoercible,
  typeChangeRewrites,
  typeOfFormatted,
  typeOfNode,
  usingIsPlain,
} from './coercion.js';
import {
  type FileState,
  isTable,
  type LockMode,
  names,
  nodeOf,
  resolve,
  strongest,
  type Target,
} from './context.js';
import { isNonVolatile } from './volatility.js';

/** A finding before it becomes a Risk (the caller adds file, line, statement, lock). */
export interface Finding {
  rule: RuleId;
  /** The relation it is about; none for a statement that fails wherever it points. */
  target?: Target;
  what: string;
  saferWay: string;
}

/** A lock a statement takes on a relation. */
export interface LockClaim {
  target: Target;
  mode: LockMode;
}

export interface Prediction {
  findings: Finding[];
  locks: LockClaim[];
}

/** Relation options whose change takes SHARE UPDATE EXCLUSIVE (AlterTableGetRelOptionsLockLevel). */
const LIGHT_OPTIONS =
  /^(fillfactor|toast_tuple_target|parallel_workers|autovacuum_.*|vacuum_.*|log_autovacuum_min_duration)$/;

/** The lock of one subcommand, as PostgreSQL's AlterTableGetLockLevel decides it. */
function lockOf(cmd: AlterTableCmd): LockMode {
  switch (cmd.subtype) {
    case 'AT_AddConstraint': {
      const contype = nodeOf(cmd.def, 'Constraint')?.contype;
      return contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    }
    case 'AT_ValidateConstraint':
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_AttachPartition':
    case 'AT_DetachPartitionFinalize':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'AT_DetachPartition':
      return nodeOf(cmd.def, 'PartitionCmd')?.concurrent
        ? 'SHARE UPDATE EXCLUSIVE'
        : 'ACCESS EXCLUSIVE';
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_EnableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrig':
    case 'AT_DisableTrigAll':
    case 'AT_DisableTrigUser':
      return 'SHARE ROW EXCLUSIVE';
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions': {
      const options = nodeOf(cmd.def, 'List')?.items ?? [];
      const light = options.every((o) => LIGHT_OPTIONS.test(nodeOf(o, 'DefElem')?.defname ?? ''));
      return light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    }
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

/** The column a `CHECK` proves NOT NULL: `col IS NOT NULL`, alone or in a top-level AND. */
export function notNullColumnOf(expr: Node | undefined): string | undefined {
  const test = nodeOf(expr, 'NullTest');
  if (test?.nulltesttype === 'IS_NOT_NULL') {
    const fields = names(nodeOf(test.arg, 'ColumnRef')?.fields);
    return fields.length === 1 ? fields[0] : undefined;
  }
  const bool = nodeOf(expr, 'BoolExpr');
  if (bool?.boolop === 'AND_EXPR') {
    for (const arg of bool.args ?? []) {
      const column = notNullColumnOf(arg);
      if (column) return column;
    }
  }
  return undefined;
}

export function predictAlterTable(state: FileState, stmt: AlterTableStmt): Prediction {
  const target = resolve(state, stmt.relation);
  if (!target || stmt.objtype !== 'OBJECT_TABLE') return { findings: [], locks: [] };
  const findings: Finding[] = [];
  const partitions: LockClaim[] = [];
  let lock: LockMode | undefined;
  for (const node of stmt.cmds ?? []) {
    const cmd = nodeOf(node, 'AlterTableCmd');
    if (!cmd) continue;
    lock = strongest(lock, lockOf(cmd));
    const partition = partitionClaim(state, cmd);
    if (partition) partitions.push(partition);
    rememberChecks(state, target, cmd);
    if (isTable(target.existing)) findings.push(...subcommandFindings(state, target, cmd));
  }
  // One finding per rule: a statement that rewrites twice still rewrites once.
  const unique = findings.filter((f, i) => findings.findIndex((g) => g.rule === f.rule) === i);
  return { findings: unique, locks: [...(lock ? [{ target, mode: lock }] : []), ...partitions] };
}

/**
 * ATTACH and DETACH PARTITION lock the partition too: ATTACH takes ACCESS EXCLUSIVE on it (to
 * check its rows against the bound, while the parent gets SHARE UPDATE EXCLUSIVE); DETACH takes
 * ACCESS EXCLUSIVE from PostgreSQL 14 on (SHARE UPDATE EXCLUSIVE with CONCURRENTLY, and on 13).
 */
function partitionClaim(state: FileState, cmd: AlterTableCmd): LockClaim | undefined {
  if (cmd.subtype !== 'AT_AttachPartition' && cmd.subtype !== 'AT_DetachPartition')
    return undefined;
  const partitionCmd = nodeOf(cmd.def, 'PartitionCmd');
  const partition = resolve(state, partitionCmd?.name);
  if (!partition) return undefined;
  const light =
    cmd.subtype === 'AT_DetachPartition' &&
    (partitionCmd?.concurrent === true || state.context.serverVersionNum < 140000);
  return { target: partition, mode: light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' };
}

/** Records CHECK (col IS NOT NULL) constraints that later make SET NOT NULL skip its scan. */
function rememberChecks(state: FileState, target: Target, cmd: AlterTableCmd): void {
  const { notNullProven, notValidChecks } = state.pending;
  if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
    const key = `${target.qualified}.${cmd.name}`;
    const column = notValidChecks.get(key);
    if (column) notNullProven.add(`${target.qualified}.${column}`);
    return;
  }
  const con = cmd.subtype === 'AT_AddConstraint' ? nodeOf(cmd.def, 'Constraint') : undefined;
  if (con?.contype !== 'CONSTR_CHECK' || con.is_enforced === false) return;
  const column = notNullColumnOf(con.raw_expr);
  if (!column) return;
  if (!con.skip_validation) {
    notNullProven.add(`${target.qualified}.${column}`);
    return;
  }
  // PostgreSQL names an unnamed one-column check <table>_<column>_check.
  const table = target.qualified.slice(target.qualified.indexOf('.') + 1);
  const name = con.conname ?? `${table}_${column}_check`;
  notValidChecks.set(`${target.qualified}.${name}`, column);
}

function subcommandFindings(state: FileState, target: Target, cmd: AlterTableCmd): Finding[] {
  const t = target.qualified;
  const rewrite = (what: string, saferWay: string): Finding => ({
    rule: 'table-rewrite',
    target,
    what,
    saferWay,
  });
  const scan = (what: string, saferWay: string): Finding => ({
    rule: 'validating-scan',
    target,
    what,
    saferWay,
  });
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return addColumnFindings(target, nodeOf(cmd.def, 'ColumnDef'));
    case 'AT_AlterColumnType': {
      const finding = typeChangeFinding(state, target, cmd);
      return finding ? [finding] : [];
    }
    case 'AT_SetNotNull': {
      const column = cmd.name ?? '';
      if (notNullProven(state, t, column)) return [];
      return [
        scan(
          `SET NOT NULL on ${t}.${column} scans the whole table under ACCESS EXCLUSIVE, blocking reads and writes.`,
          notNullSaferWay(state, t, column),
        ),
      ];
    }
    case 'AT_AddConstraint':
      return constraintFindings(state, target, nodeOf(cmd.def, 'Constraint'));
    case 'AT_DropColumn':
      return [
        {
          rule: 'breaking-change',
          target,
          what: `Dropping column ${t}.${cmd.name ?? ''} deletes its data and breaks running code that still reads or writes it.`,
          saferWay:
            'Deploy code that no longer uses the column first (expand/contract), then drop it in a later migration.',
        },
      ];
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
      // A table that has the persistence asked for already is left alone.
      if (target.existing?.persistence === (cmd.subtype === 'AT_SetLogged' ? 'p' : 'u')) return [];
      return [
        rewrite(
          `SET ${cmd.subtype === 'AT_SetLogged' ? 'LOGGED' : 'UNLOGGED'} rewrites ${t} and its indexes under ACCESS EXCLUSIVE.`,
          'Do it in a maintenance window, or create a new table with the wanted persistence and copy the rows in batches.',
        ),
      ];
    case 'AT_SetAccessMethod':
      return [
        rewrite(
          `SET ACCESS METHOD rewrites ${t} under ACCESS EXCLUSIVE.`,
          'Do it in a maintenance window, or copy into a new table in batches and swap.',
        ),
      ];
    case 'AT_SetTableSpace':
      return [
        rewrite(
          `SET TABLESPACE copies ${t} to new files under ACCESS EXCLUSIVE.`,
          'Do it in a maintenance window, or use a tool such as pg_repack that moves the table online.',
        ),
      ];
    default:
      return [];
  }
}

function notNullProven(state: FileState, table: string, column: string): boolean {
  return (
    state.pending.notNullProven.has(`${table}.${column}`) ||
    (state.context.provenNotNull?.(table, column) ?? false)
  );
}

function notNullSaferWay(state: FileState, table: string, column: string): string {
  const name = `${table.slice(table.indexOf('.') + 1)}_${column}_not_null`;
  if (state.context.serverVersionNum >= 180000) {
    return `ALTER TABLE ${table} ADD CONSTRAINT ${name} NOT NULL ${column} NOT VALID; now, and ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}; in a later migration (it scans under SHARE UPDATE EXCLUSIVE, which does not block reads or writes).`;
  }
  return `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL) NOT VALID; now, then in a later migration VALIDATE CONSTRAINT ${name}, SET NOT NULL (PostgreSQL uses the valid check and skips the scan) and DROP CONSTRAINT ${name}.`;
}

const SERIAL = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

function addColumnFindings(target: Target, column: ColumnDef | undefined): Finding[] {
  if (!column) return [];
  const t = target.qualified;
  const name = column.colname ?? '';
  const findings: Finding[] = [];
  const backfill = `Add ${name} without the default (or with a constant one), set the default for new rows with ALTER COLUMN ${name} SET DEFAULT, then fill existing rows in batches in later migrations.`;
  const rewrite = (why: string) =>
    findings.push({
      rule: 'table-rewrite',
      target,
      what: `ADD COLUMN ${name} ${why}, which rewrites ${t} and its indexes under ACCESS EXCLUSIVE.`,
      saferWay: backfill,
    });
  if (SERIAL.has(names(column.typeName?.names).at(-1) ?? ''))
    rewrite('is a serial column, filled from a sequence row by row');
  for (const node of column.constraints ?? []) {
    const con = nodeOf(node, 'Constraint');
    switch (con?.contype) {
      case 'CONSTR_DEFAULT':
        if (!isNonVolatile(con.raw_expr)) rewrite('has a volatile default, computed row by row');
        break;
      case 'CONSTR_IDENTITY':
        rewrite('is an identity column, filled row by row');
        break;
      case 'CONSTR_GENERATED':
        // Without STORED, PostgreSQL 18 makes the column VIRTUAL: computed when read, no rewrite.
        if (con.generated_kind === 's') rewrite('is GENERATED … STORED, computed row by row');
        break;
      case 'CONSTR_FOREIGN':
      case 'CONSTR_CHECK':
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
        findings.push({
          rule: 'validating-scan',
          target,
          what: `ADD COLUMN ${name} with an inline ${constraintWord(con.contype)} makes PostgreSQL scan ${t} to validate it under ACCESS EXCLUSIVE.`,
          saferWay: `Add the column alone, then add the constraint as its own step: ${constraintSaferWay(t, con.contype)}`,
        });
        break;
      default:
        break;
    }
  }
  return findings;
}

function constraintWord(contype: Constraint['contype']): string {
  switch (contype) {
    case 'CONSTR_FOREIGN':
      return 'foreign key';
    case 'CONSTR_CHECK':
      return 'CHECK';
    case 'CONSTR_PRIMARY':
      return 'primary key';
    default:
      return 'unique constraint';
  }
}

function constraintSaferWay(table: string, contype: Constraint['contype']): string {
  if (contype === 'CONSTR_PRIMARY' || contype === 'CONSTR_UNIQUE') {
    const kind = contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
    return `CREATE UNIQUE INDEX CONCURRENTLY … ON ${table} in a -- migrate:no-transaction file, then ALTER TABLE ${table} ADD CONSTRAINT … ${kind} USING INDEX … in a later migration.`;
  }
  return `ALTER TABLE ${table} ADD CONSTRAINT … NOT VALID; now, and ALTER TABLE ${table} VALIDATE CONSTRAINT …; in a later migration (it scans under SHARE UPDATE EXCLUSIVE, without blocking writes).`;
}

function constraintFindings(
  state: FileState,
  target: Target,
  con: Constraint | undefined,
): Finding[] {
  if (!con || con.is_enforced === false) return [];
  const t = target.qualified;
  const scan = (what: string): Finding[] => [
    { rule: 'validating-scan', target, what, saferWay: constraintSaferWay(t, con.contype) },
  ];
  switch (con.contype) {
    case 'CONSTR_FOREIGN': {
      if (con.skip_validation) return [];
      const referenced = con.pktable ? resolve(state, con.pktable)?.qualified : undefined;
      return scan(
        `ADD FOREIGN KEY scans ${t} to validate it while holding SHARE ROW EXCLUSIVE on ${t}${referenced ? ` and ${referenced}` : ''}, blocking writes to both.`,
      );
    }
    case 'CONSTR_CHECK':
      if (con.skip_validation) return [];
      return scan(
        `ADD CHECK scans ${t} to validate it under ACCESS EXCLUSIVE, blocking reads and writes.`,
      );
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      if (con.indexname) return [];
      return scan(
        `ADD ${con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} builds an index on ${t} under ACCESS EXCLUSIVE, blocking reads and writes for the whole build.`,
      );
    case 'CONSTR_NOTNULL': {
      // A table constraint NOT NULL is PostgreSQL 18's: older servers reject the statement.
      if (state.context.serverVersionNum < 180000) return [];
      const column = names(con.keys)[0] ?? '';
      if (con.skip_validation || notNullProven(state, t, column)) return [];
      return [
        {
          rule: 'validating-scan',
          target,
          what: `ADD CONSTRAINT … NOT NULL ${column} scans ${t} under ACCESS EXCLUSIVE, blocking reads and writes.`,
          saferWay: notNullSaferWay(state, t, column),
        },
      ];
    }
    default:
      return [];
  }
}

function typeChangeFinding(
  state: FileState,
  target: Target,
  cmd: AlterTableCmd,
): Finding | undefined {
  const t = target.qualified;
  const column = cmd.name ?? '';
  const def = nodeOf(cmd.def, 'ColumnDef');
  const newType = typeOfNode(def?.typeName);
  if (!newType) return undefined;
  const plain = usingIsPlain(def?.raw_default, column);
  const formatted = state.context.columnType?.(t, column);
  const saferWay = `Add a new column of the new type, write to both from the code, backfill it in batches, then switch reads and drop the old column (expand/contract).`;
  if (
    plain &&
    formatted !== undefined &&
    !typeChangeRewrites(typeOfFormatted(formatted), newType, fixedUtc(state.timeZone))
  )
    return undefined;
  const hedge =
    plain && formatted === undefined && mayBeCoercible(newType)
      ? ' (unless the old type is binary-coercible to it, e.g. varchar(10) to varchar(20); the rehearsal tells)'
      : '';
  return {
    rule: 'table-rewrite',
    target,
    what: `Changing the type of ${t}.${column} rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE${hedge}.`,
    saferWay,
  };
}
