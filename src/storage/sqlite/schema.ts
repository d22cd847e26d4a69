// The SQLite layout, kine style: one MVCC table with a row per revision, plus a small meta table.
//
//   kv(revision PK, key, created, deleted, create_revision, prev_revision, value)
//     - revision is the rowid, so appends and watch-from-revision scans walk the primary key;
//     - a tombstone (deleted = 1) has an empty value: its last value is the row prev_revision names,
//       which is also where update/delete events find their prevKv;
//     - (key, revision) serves get-latest, get-at-revision and prefix lists at a revision.
//   meta(name, value): compact_revision, and compact_progress (rows below it are compacted).
import type DatabaseCtor from 'better-sqlite3';

type Database = DatabaseCtor.Database;
type Statement = DatabaseCtor.Statement;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_key_revision ON kv (key, revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** A row as the statements below return it. */
export interface Row {
  revision: number;
  key: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer;
  prev_value?: Buffer | null;
  prev_create_revision?: number | null;
}

/** The newest version of each key in a range, as of a revision (the correlated MAX walks the index). */
function latestInRange(select: string, bounded: boolean, limited: boolean): string {
  return `SELECT ${select} FROM kv k
    WHERE k.key >= ? ${bounded ? 'AND k.key < ?' : ''} AND k.revision <= ?
      AND k.revision = (SELECT MAX(m.revision) FROM kv m WHERE m.key = k.key AND m.revision <= ?)
      AND k.deleted = 0
    ${limited ? 'ORDER BY k.key LIMIT ?' : ''}`;
}

/** Events by revision; `+r.key` keeps the planner on the primary key instead of the key index. */
function history(bounded: boolean): string {
  return `SELECT r.*, p.value AS prev_value, p.create_revision AS prev_create_revision
    FROM kv r LEFT JOIN kv p ON p.revision = r.prev_revision
    WHERE r.revision >= ? AND r.revision <= ? AND +r.key >= ? ${bounded ? 'AND +r.key < ?' : ''}
    ORDER BY r.revision LIMIT ?`;
}

export class Statements {
  readonly latest: Statement;
  readonly atRevision: Statement;
  readonly insert: Statement;
  readonly maxRevision: Statement;
  readonly getMeta: Statement;
  readonly setMeta: Statement;
  readonly deleteSuperseded: Statement;
  readonly deleteTombstones: Statement;
  readonly list: { bounded: Statement; unbounded: Statement };
  readonly count: { bounded: Statement; unbounded: Statement };
  readonly history: { bounded: Statement; unbounded: Statement };

  constructor(db: Database) {
    const cols = 'k.key, k.revision, k.create_revision, k.value';
    this.latest = db.prepare('SELECT * FROM kv WHERE key = ? ORDER BY revision DESC LIMIT 1');
    this.atRevision = db.prepare('SELECT * FROM kv WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1');
    this.insert = db.prepare(`INSERT INTO kv (revision, key, created, deleted, create_revision, prev_revision, value)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.maxRevision = db.prepare('SELECT MAX(revision) FROM kv').pluck();
    this.getMeta = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
    this.setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    // Compaction of the window [lo, hi): every row there supersedes its predecessor, and a
    // tombstone there is itself no longer needed by any read at or above the compact revision.
    this.deleteSuperseded = db.prepare(`DELETE FROM kv WHERE revision IN
      (SELECT prev_revision FROM kv WHERE revision >= ? AND revision < ? AND prev_revision > 0)`);
    this.deleteTombstones = db.prepare('DELETE FROM kv WHERE revision >= ? AND revision < ? AND deleted = 1');
    this.list = {
      bounded: db.prepare(latestInRange(cols, true, true)),
      unbounded: db.prepare(latestInRange(cols, false, true)),
    };
    this.count = {
      bounded: db.prepare(latestInRange('COUNT(*)', true, false)).pluck(),
      unbounded: db.prepare(latestInRange('COUNT(*)', false, false)).pluck(),
    };
    this.history = { bounded: db.prepare(history(true)), unbounded: db.prepare(history(false)) };
  }
}
