import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard's own Vite root. `npm run build:web` (and `npm install`, through `prepare`) builds it
 * into web/dist, which `comeback serve` serves at `/`. `npm run dev:web` serves it with hot reload and
 * sends /app/api to a running `comeback serve` (COMEBACK_URL, default http://127.0.0.1:3000).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/app/api': process.env.COMEBACK_URL ?? 'http://127.0.0.1:3000' } },
});
