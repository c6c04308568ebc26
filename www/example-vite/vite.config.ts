import { defineConfig } from 'vite';

// Nothing for the widget: Vite finds its wasm through `new URL(..., import.meta.url)`.
// `base: './'` only because the sandbox serves this build under /example-vite/dist/.
export default defineConfig({
  base: './',
  build: { target: 'es2022' },
});
