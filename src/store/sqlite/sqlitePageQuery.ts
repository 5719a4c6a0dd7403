// The page query of the SQLite history, on whichever connection runs it: the store's own (an
// in-memory database) or a read-only one in a worker thread (historyReadWorker.ts).
import type Database from 'better-sqlite3';
import type { HistoryCursor } from '../cursor.js';
import { type HistoryFilter, historyWhere } from '../historyFilter.js';
import { type HistoryPage, type PageRow, pageOf } from '../historyPage.js';

export class SqlitePageQuery {
  // One prepared statement per filter shape (at most a few hundred), reused across requests.
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** Newest first (completedAt desc, id desc), strictly after `after`; the request is already checked. */
  page(filter: HistoryFilter, limit: number, after: HistoryCursor | undefined, withLayers: boolean): HistoryPage {
    const where = historyWhere(filter, after);
    const rows = this.statement(where.sql, withLayers).all(...where.params, limit + 1) as PageRow[];
    return pageOf(rows, limit, withLayers);
  }

  private statement(whereSql: string, withLayers: boolean): Database.Statement {
    const key = `${withLayers ? 'L' : 'S'}${whereSql}`;
    let statement = this.statements.get(key);
    if (!statement) {
      // Without layers the large column is not read at all (its overflow pages stay on disk).
      const layers = withLayers ? 'p.layers' : "'' AS layers";
      statement = this.db.prepare(
        `SELECT p.id, p.completed_at, p.doc, ${layers}, p.layers_format FROM pulls p ${whereSql} ORDER BY p.completed_at DESC, p.id DESC LIMIT ?`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }
}
