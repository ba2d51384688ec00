/**
 * Sleeps `ms`, resolving early (never rejecting) when the signal aborts. Once settled it leaves
 * neither a timer nor an abort listener behind, so one long-lived signal can carry any number of
 * sleeps.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
