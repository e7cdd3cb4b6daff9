/**
 * Multi-row INSERTs for large writes (the bulk loader, a transaction Bundle's new resources): rows
 * are buffered per table and inserted `ROWS_PER_INSERT` at a time.
 */
import type SQLite from 'better-sqlite3';

/** Rows per multi-row INSERT: fewer statement calls; SQLite's limit is 32,766 parameters. */
const ROWS_PER_INSERT = 32;

/**
 * Buffers rows for one table and inserts them `ROWS_PER_INSERT` at a time (the per-call cost of a
 * prepared statement is about as large as inserting a small row).
 */
export class RowBuffer {
  private readonly many: SQLite.Statement;
  private readonly one: SQLite.Statement;
  private readonly values: unknown[] = [];
  private readonly width: number;

  constructor(sqlite: SQLite.Database, table: string, columns: string[], fixed: Record<string, string> = {}) {
    const all = [...columns, ...Object.keys(fixed)];
    const tuple = `(${[...columns.map(() => '?'), ...Object.values(fixed)].join(', ')})`;
    const head = `INSERT INTO ${table} (${all.map((c) => `"${c}"`).join(', ')}) VALUES `;
    this.many = sqlite.prepare(head + Array.from({ length: ROWS_PER_INSERT }, () => tuple).join(', '));
    this.one = sqlite.prepare(head + tuple);
    this.width = columns.length;
  }

  push(...row: unknown[]): void {
    for (const v of row) this.values.push(v);
    if (this.values.length === this.width * ROWS_PER_INSERT) {
      this.many.run(this.values);
      this.values.length = 0;
    }
  }

  flush(): void {
    for (let i = 0; i < this.values.length; i += this.width) this.one.run(this.values.slice(i, i + this.width));
    this.values.length = 0;
  }

  discard(): void {
    this.values.length = 0;
  }
}

