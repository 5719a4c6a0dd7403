import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/web at / under a strict CSP (script-src 'self'; style-src 'self'),
// so the build must emit only external script and style files.
export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the UI also works behind a path prefix (an ingress at /pulltrace/).
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // Inlined assets would become data: URLs; keep fonts/images as files for a simple CSP story.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: { '/api': process.env.PULLTRACE_DEV_API ?? 'http://127.0.0.1:8080' },
  },
});
