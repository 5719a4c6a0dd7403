// The tab title shows activity while the operator looks elsewhere.
import { useEffect } from 'react';

export function pageTitle(active: number): string {
  return active > 0 ? `(${active}) Pulltrace` : 'Pulltrace';
}

export function usePageTitle(active: number): void {
  useEffect(() => {
    document.title = pageTitle(active);
  }, [active]);
}
