import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { setLocale, storedLocale } from './i18n/i18n';
import { installZodErrorMap } from './i18n/zod-error-map';
import './styles.css';

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
