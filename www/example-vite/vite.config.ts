import { defineConfig, searchForWorkspaceRoot } from 'vite';
import { realpathSync } from 'node:fs';

// The platform the dev server forwards the shop's and the widget's calls to (the sandbox).
const platform = process.env.EPAY_PLATFORM ?? 'http://127.0.0.1:8787';

export default defineConfig({
  // Only because the sandbox serves this build under /example-vite/dist/.
  base: './',
  build: { target: 'es2022' },
  server: {
    fs: {
      // Only for a linked install (`"epay-widget": "file:../../pkg"`, as here): `vite` (the dev
      // server) serves files outside the project only from allowed folders, and the package's
      // .wasm is fetched, not imported. An install from the registry needs nothing here.
      allow: [searchForWorkspaceRoot(process.cwd()), realpathSync('node_modules/epay-widget')],
    },
    // The demo's back end and the platform API on the dev server's origin (the widget's default
    // baseUrl when bundled). A real shop proxies its own back end and sets baseUrl to the platform.
    // The demo shop's back end refuses cross-site writes (it checks Origin): the proxy speaks
    // for the page, as a shop's own dev proxy to its own back end does.
    proxy: { '/merchant': { target: platform, changeOrigin: true, headers: { origin: platform } }, '/api': platform },
  },
});
