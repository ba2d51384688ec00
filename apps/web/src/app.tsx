import { useEffect, useMemo, useRef } from 'react';
import { ApiContext } from './api/api-context';
import { ApiClient } from './api/http-client';
import { SignInPage } from './features/auth/sign-in.page';
import { TotpEnrolmentGate } from './features/auth/totp-enrolment-gate';
import { NotFoundPage } from './features/not-found/not-found.page';
import { I18nProvider, useI18n } from './i18n/i18n-context';
import { RouterProvider, useRouter } from './router/router';
import { SessionProvider, useSession } from './session/session-context';
import { AppShell } from './shell/app-shell';
import { resolveRoute } from './shell/navigation';
import { Loading } from './ui/alert';

/** Picks the screen: sign-in when anonymous, otherwise the route inside the shell. */
function Screens() {
  const { state } = useSession();
  const { path, search, navigate } = useRouter();
  const publicMatch = resolveRoute(path, null);
  const isPublic = publicMatch !== undefined;
  const anonymous = state.status === 'anonymous';
  useEffect(() => {
    if (anonymous && path !== '/login' && !isPublic) navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
    if (state.status === 'signed-in' && path === '/login') {
      const next = search.get('next') ?? '/';
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }
  }, [anonymous, isPublic, state.status, path, search, navigate]);

  if (publicMatch) {
    const PublicPage = publicMatch.route.page;
    return (
      <main id="main" className="public">
        <PublicPage params={publicMatch.params} />
      </main>
    );
  }
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'anonymous') return <SignInPage />;
  // A role that requires TOTP, not yet enrolled: nothing but the enrolment until it is done.
  if (state.me.totpEnrolmentRequired) return <TotpEnrolmentGate />;
  const match = resolveRoute(path, state.me.roles);
  const Page = match?.route.page;
  return <AppShell>{Page ? <Page params={match.params} /> : <NotFoundPage />}</AppShell>;
}

/** Creates the one ApiClient (language from the i18n state, 401 → session expired). */
function WithApi() {
  const i18n = useI18n();
  const locale = useRef(i18n.locale);
  locale.current = i18n.locale;
  const onUnauthenticated = useRef<() => void>(() => undefined);
  const api = useMemo(() => new ApiClient({ locale: () => locale.current, onUnauthenticated: () => onUnauthenticated.current() }), []);
  return (
    <ApiContext.Provider value={api}>
      <SessionProvider>
        <ExpireOn401 target={onUnauthenticated} />
        <Screens />
      </SessionProvider>
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
      <RouterProvider>
        <WithApi />
      </RouterProvider>
    </I18nProvider>
  );
}
