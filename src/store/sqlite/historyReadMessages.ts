// What the main thread and a history read worker say to each other (structured-clone plain data).
import type { HistoryCursor } from '../cursor.js';
import type { HistoryFilter } from '../historyFilter.js';
import type { HistoryPage } from '../historyPage.js';

export interface HistoryReadRequest {
  id: number;
  filter: HistoryFilter;
  limit: number;
  after: HistoryCursor | undefined;
  withLayers: boolean;
  /** answer with the page's JSON as UTF-8 bytes (transferred, not copied) instead of the page */
  json: boolean;
}

export type HistoryReadReply =
  | { id: number; page: HistoryPage; json?: undefined; error?: undefined }
  | { id: number; json: Uint8Array; page?: undefined; error?: undefined }
  | { id: number; error: string; page?: undefined; json?: undefined };
