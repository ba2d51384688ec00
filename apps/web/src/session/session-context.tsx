import { DATA_CENTER_ROLES, type LoginBody, type MeResponse, type Role } from '@betang/core';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context';
import { ApiError } from '../api/api-error';
import { getMe, login, logout } from '../api/session.api';
import { hasStoredLocale, setLocale } from '../i18n/i18n';

export type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; me: MeResponse };

export type Session = {
  state: SessionState;
  signIn(body: LoginBody): Promise<void>;
  signOut(): Promise<void>;
  /** Reloads GET /me (after TOTP enrolment, for instance). */
  refresh(): Promise<void>;
  /** Forgets the session locally (the API said 401). */
  expire(): void;
};

const SessionContext = createContext<Session | null>(null);

/** Holds who is signed in; asks GET /me once at start to pick up an existing session cookie. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  // Another person may sign in next in this tab: nothing read for the previous one may show
  // (cleared at sign-out and at sign-in, which also covers a session that expired).
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const me = await getMe(api);
      api.setCsrfToken(me.csrfToken);
      // the account's language applies until someone picks one on this device
      if (!hasStoredLocale() && me.user.locale !== 'id') await setLocale(me.user.locale, false);
      setState({ status: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        api.setCsrfToken(null);
        setState({ status: 'anonymous' });
      } else throw error;
    }
  }, [api]);

  useEffect(() => {
    refresh().catch(() => setState({ status: 'anonymous' }));
  }, [refresh]);

  const signIn = useCallback(
    async (body: LoginBody) => {
      const answer = await login(api, body);
      api.setCsrfToken(answer.csrfToken);
      queryClient.clear();
      await refresh();
    },
    [api, refresh, queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await logout(api);
    } finally {
      api.setCsrfToken(null);
      queryClient.clear();
      setState({ status: 'anonymous' });
    }
  }, [api, queryClient]);

  // Not cleared here: a 401 also reaches anonymous visitors of public pages, whose reads must stay.
  const expire = useCallback(() => {
    api.setCsrfToken(null);
    setState({ status: 'anonymous' });
  }, [api]);

  const value = useMemo(() => ({ state, signIn, signOut, refresh, expire }), [state, signIn, signOut, refresh, expire]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session (any state). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user's GET /me answer; only for components rendered inside the signed-in shell. */
export function useMe(): MeResponse {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe without a session');
  return state.me;
}

/** True when the roles include any of `wanted`. */
export function holdsAny(roles: readonly Role[], wanted: readonly Role[]): boolean {
  return roles.some((role) => wanted.includes(role));
}

/** Data-center staff use the operator console; everyone else the institution portal. */
export function isConsoleUser(roles: readonly Role[]): boolean {
  return holdsAny(roles, DATA_CENTER_ROLES);
}
