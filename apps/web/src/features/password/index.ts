import type { Feature } from '../feature';

/** A forgotten password, without signing in: ask for a link by e-mail, then choose a new password from it. */
export const passwordFeature: Feature = {
  id: 'password',
  routes: [
    { path: '/forgot-password', page: () => import('./forgot-password.page').then((m) => m.ForgotPasswordPage), public: true },
    // The path the API's reset e-mail links to (PUBLIC_URL/reset-password#token=…).
    { path: '/reset-password', page: () => import('./reset-password.page').then((m) => m.ResetPasswordPage), public: true },
  ],
  nav: [],
};
