import { defineConfig } from 'vite';

// The page is served by `heartwave serve --web-dir web/dist`: index.html at /,
// the bundle under /assets/. Nothing is loaded from another host.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev` forwards the API to a running `heartwave serve` on port 8000.
    proxy: {
      '/v1': 'http://127.0.0.1:8000',
      '/openapi.json': 'http://127.0.0.1:8000',
      '/health': 'http://127.0.0.1:8000',
      '/ready': 'http://127.0.0.1:8000',
    },
  },
});
