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
}

export type HistoryReadReply = { id: number; page: HistoryPage; error?: undefined } | { id: number; error: string; page?: undefined };
