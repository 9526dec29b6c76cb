import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server and `vite preview` proxy the API so the app always calls same-origin /api.
const apiTarget = process.env.API_PROXY_TARGET ?? 'http://127.0.0.1:8000';
const proxy = {
  '/api': { target: apiTarget, changeOrigin: false },
  '/health': { target: apiTarget, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  build: { sourcemap: false, target: 'es2022' },
});
