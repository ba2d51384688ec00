import { LanguageSwitch } from './language-switch';

/** The top line of the pages shown outside the app shell (sign-in, TOTP gate, public verification): brand and language switch. */
export function BrandBar() {
  return (
    <div className="sign-in-top">
      <p className="brand">Betang</p>
      <LanguageSwitch />
    </div>
  );
}
