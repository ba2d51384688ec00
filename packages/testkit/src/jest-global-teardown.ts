/** Jest globalTeardown: drops this run's template database. */
export default async function globalTeardown(): Promise<void> {
  const cleanup = (globalThis as { __betangTemplateCleanup?: () => Promise<unknown> }).__betangTemplateCleanup;
  if (cleanup) await cleanup();
}
