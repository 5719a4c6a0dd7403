// Worker thread of the SQLite history: answers page queries on its own read-only connection, so a
// query that scans (a filter matching nothing, over a million rows) never holds the server's event
// loop. WAL lets it read while the main connection writes; it sees every commit made before it
// starts a query. The main side is historyReadThreads.ts.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { HistoryReadReply, HistoryReadRequest } from './historyReadMessages.js';
import { SqlitePageQuery } from './sqlitePageQuery.js';

const { path } = workerData as { path: string };
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const pages = new SqlitePageQuery(db);

const utf8 = new TextEncoder();

parentPort?.on('message', (request: HistoryReadRequest) => {
  let reply: HistoryReadReply;
  try {
    const page = pages.page(request.filter, request.limit, request.after, request.withLayers);
    // The body is serialised here, and its bytes moved (not copied) to the main thread.
    reply = request.json ? { id: request.id, json: utf8.encode(JSON.stringify(page)) } : { id: request.id, page };
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply, reply.json ? [reply.json.buffer as ArrayBuffer] : []);
});
