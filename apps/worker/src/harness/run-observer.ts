/** Where the harness reports step and run durations (the worker's Prometheus metrics). */
export type RunObserver = {
  observeStep(kind: string, step: string, status: 'done' | 'skipped' | 'failed', seconds: number): void;
  observeRun(kind: string, outcome: string, seconds: number): void;
};
