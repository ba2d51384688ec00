import { lazy, Suspense, useEffect } from 'react';
import { Outlet, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../session/session-context';
import { Loading } from '../ui/alert';
import { AppShell } from './app-shell';

// Signed-in visitors never need these two screens: they load (each its own chunk) only when shown.
const SignInPage = lazy(() => import('../features/auth/sign-in.page').then((module) => ({ default: module.SignInPage })));
const TotpEnrolmentGate = lazy(() =>
  import('../features/auth/totp-enrolment-gate').then((module) => ({ default: module.TotpEnrolmentGate })),
);

/** Where a `?next=` may send people after sign-in: only paths of this site (never `//host`). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/**
 * The parent of every non-public route: sign-in when anonymous (the address becomes
 * `/login?next=<path>`), the TOTP enrolment gate while a role that requires it has none, and
 * otherwise the route inside the shell. Signing in on /login goes on to `next`.
 */
export function SignedInLayout() {
  const { state } = useSession();
  const { pathname } = useLocation();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const anonymous = state.status === 'anonymous';
  useEffect(() => {
    if (anonymous && pathname !== '/login') void navigate(`/login?next=${encodeURIComponent(pathname)}`, { replace: true });
    if (state.status === 'signed-in' && pathname === '/login') void navigate(safeNext(search.get('next')), { replace: true });
  }, [anonymous, state.status, pathname, search, navigate]);

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'anonymous') {
    return (
      <Suspense fallback={<Loading />}>
        <SignInPage />
      </Suspense>
    );
  }
  // A role that requires TOTP, not yet enrolled: nothing but the enrolment until it is done.
  if (state.me.totpEnrolmentRequired) {
    return (
      <Suspense fallback={<Loading />}>
        <TotpEnrolmentGate />
      </Suspense>
    );
  }
  return (
    <AppShell>
      <Outlet />
    </AppShell>
  );
}
