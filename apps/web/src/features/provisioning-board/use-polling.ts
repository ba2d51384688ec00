import { useEffect, useState } from 'react';

/**
 * Calls `reload` every `intervalMs` while the tab is visible (a hidden tab makes no requests) and
 * returns the time of the last tick, so the page can say how fresh its data is.
 */
export function usePolling(reload: () => void, intervalMs: number): Date {
  const [tick, setTick] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'hidden') return;
      reload();
      setTick(new Date());
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [reload, intervalMs]);
  return tick;
}
