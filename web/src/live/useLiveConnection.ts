// The live event stream for the lifetime of a component: feeds the store, reports the
// connection state. `expanded` names the pulls whose layer lists the stream keeps fresh.
import { type RefObject, useEffect, useState } from 'react';
import { type ConnectionState, connectLive } from './liveConnection.js';
import type { PullStore } from './pullStore.js';

export function useLiveConnection(store: PullStore, expanded: RefObject<ReadonlySet<string>>): ConnectionState {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  useEffect(() => {
    const live = connectLive(store, setConnection, () => expanded.current ?? new Set());
    return () => live.close();
  }, [store, expanded]);
  return connection;
}
