import type { Feature } from '../feature';
import { VerifyCodePage, VerifyPage } from './verify.page';

/** Public agreement verification (no sign-in): upload a PDF, or open the QR code's link. */
export const verifyFeature: Feature = {
  id: 'verify',
  routes: [
    { path: '/verify', page: VerifyPage, public: true },
    { path: '/verify/:code', page: VerifyCodePage, public: true },
  ],
  nav: [],
};
