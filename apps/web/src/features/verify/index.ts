import type { Feature } from '../feature';

/** Public agreement verification (no sign-in): upload a PDF, or open the QR code's link. */
export const verifyFeature: Feature = {
  id: 'verify',
  routes: [
    { path: '/verify', page: () => import('./verify.page').then((m) => m.VerifyPage), public: true },
    {
      path: '/verify/:code',
      page: () => import('./verify.page').then((m) => m.VerifyCodePage),
      public: true,
      prefetch: ({ api, queryClient }, { code = '' }) =>
        void import('../../api/queries').then((q) => queryClient.prefetchQuery(q.verificationQuery(api, code))),
    },
  ],
  nav: [],
};
