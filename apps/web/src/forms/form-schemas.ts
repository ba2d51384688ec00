import { z } from 'zod';

/**
 * The web's own form schemas: the values a form holds before it becomes a contract body, for the
 * few forms whose values are not a contract from @betang/core. They live here, not in the .tsx
 * files, so the untranslated-message test (i18n/zod-messages.test.ts) walks them with the
 * contracts, and a form cannot carry a schema the test never sees (i18n/form-schemas.test.ts).
 */

/**
 * TOTP enrolment's confirmation: the password (empty after a fresh SSO re-authentication), the new
 * app's code and, when replacing, the current app's code. The API checks them all; the form only
 * carries them (no client-side rule to show first).
 */
export const ZTotpConfirmValues = z.object({ password: z.string(), code: z.string(), currentCode: z.string() });
