import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { RouterProvider } from 'react-router';
import { createAppRouter } from './app-routes';
import { ApiContext } from './api/api-context';
import { ApiClient } from './api/http-client';
import { createQueryClient } from './api/query-client';
import { I18nProvider, useI18n } from './i18n/i18n-context';
import { SessionProvider, useSession } from './session/session-context';

/** Creates the one ApiClient (language from the i18n state, 401 → session expired), cache and router. */
function WithApi() {
  const i18n = useI18n();
  const locale = useRef(i18n.locale);
  locale.current = i18n.locale;
  const onUnauthenticated = useRef<() => void>(() => undefined);
  const api = useMemo(() => new ApiClient({ locale: () => locale.current, onUnauthenticated: () => onUnauthenticated.current() }), []);
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
    <I18nProvider>
      <WithApi />
    </I18nProvider>
  );
}
