import type { AgentStatus } from '../../../src/model/index.js';
import type { PullStatus } from '../state/types.js';

// URLs are relative to the page, so the UI also works behind a path prefix (an ingress at /pulltrace/).

export interface HistoryPage {
  pulls: PullStatus[];
  next: string | null;
}

export interface HistoryQuery {
  limit: number;
  cursor?: string;
  node?: string;
  image?: string;
  namespace?: string;
  pod?: string;
  status?: string;
  /** failure kind(s) of failed pulls, comma-separated */
  reason?: string;
  cluster?: string;
}

/** Active and recently finished pulls, without layer lists (they come per pull on demand). */
export function fetchPulls(signal?: AbortSignal): Promise<PullStatus[]> {
  return getJson<{ pulls: PullStatus[] }>('api/v1/pulls?layers=0', signal).then((body) => body.pulls);
}

/** Every node an agent has reported for (GET /api/v1/agents). */
export function fetchAgents(signal?: AbortSignal): Promise<AgentStatus[]> {
  return getJson<{ agents: AgentStatus[] }>('api/v1/agents', signal).then((body) => body.agents);
}

/** One pull with its layers. */
export function fetchPull(id: string, signal?: AbortSignal): Promise<PullStatus> {
  return getJson<PullStatus>(`api/v1/pulls/${encodeURIComponent(id)}`, signal);
}

export function fetchHistory(query: HistoryQuery, signal?: AbortSignal): Promise<HistoryPage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return getJson<HistoryPage>(`api/v1/history?${params}`, signal);
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) {
    // The API answers errors as {"error","message"}; show the message, it is written for people.
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { message?: string };
      if (body.message) message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return (await response.json()) as T;
}
