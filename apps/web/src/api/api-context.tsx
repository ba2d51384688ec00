import { createContext, useContext } from 'react';
import type { ApiClient } from './http-client';

/** The app's one ApiClient (created in app.tsx). */
export const ApiContext = createContext<ApiClient | null>(null);

/** The shared ApiClient. */
export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}
