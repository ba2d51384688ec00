import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { RouterProvider } from 'react-router';
import { createAppRouter } from './app-routes';
import { ApiContext } from './api/api-context';
import { ApiClient } from './api/http-client';
import { createQueryClient } from './api/query-client';
import { currentLocale, i18n } from './i18n/i18n';
import { SessionProvider, useSession } from './session/session-context';

/** Creates the one ApiClient (language from i18next, 401 → session expired), cache and router. */
function WithApi() {
  const onUnauthenticated = useRef<() => void>(() => undefined);
  const api = useMemo(() => new ApiClient({ locale: currentLocale, onUnauthenticated: () => onUnauthenticated.current() }), []);
  const [queryClient] = useState(createQueryClient);
  const router = useMemo(() => createAppRouter({ api, queryClient }), [api, queryClient]);
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <ExpireOn401 target={onUnauthenticated} />
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </ApiContext.Provider>
  );
}

function ExpireOn401({ target }: { target: { current: () => void } }) {
  const { expire } = useSession();
  useEffect(() => {
    target.current = expire;
  }, [expire, target]);
  return null;
}

/** The whole web app. */
export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <WithApi />
    </I18nextProvider>
  );
}
