// The UI client for every component, through React context (tests pass their own).
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { UiEvent } from '../../../main/core/ui-api/contract';
import type { UiClient } from './client';

const ClientContext = createContext<UiClient | null>(null);

export function ClientProvider({ client, children }: { client: UiClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): UiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}

/** Calls `listener` for each live event while the component is mounted. */
export function useUiEvents(listener: (event: UiEvent) => void): void {
  const client = useClient();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => client.subscribe((e) => latest.current(e)), [client]);
}
