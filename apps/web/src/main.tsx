import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { setLocale, storedLocale } from './i18n/i18n';
import { installZodErrorMap } from './i18n/zod-error-map';
import './styles.css';
// The portal's and the console's styles are app-wide (shared classes such as the size picker and
// the refusal card are used by pages that import neither file), so they load with the first page.
import './ui/portal.css';
import './features/operator-queue/console.css';

installZodErrorMap();
const root = document.getElementById('root');
// The first paint is already in the chosen language (its catalogue loads before it).
if (root) {
  void setLocale(storedLocale(), false).finally(() =>
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
}
