import { defineConfig } from 'vite';

// The API serves dist/public in production (WEB_DIST_DIR); in development Vite serves the app
// and forwards /api to the API, so the session cookie stays same-origin in both cases.
const apiTarget = process.env.BETANG_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist/public', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { host: '127.0.0.1', port: 5173, proxy: { '/api': { target: apiTarget, changeOrigin: false } } },
});
