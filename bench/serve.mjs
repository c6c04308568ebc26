// A loopback static server that serves files the way a CDN does: brotli (quality 11) or
// gzip (level 9) by Accept-Encoding, compressed once ahead of time, Cache-Control as the
// sandbox's /pkg. Both sides of the bench are served by one instance each of this same
// server, so neither pays for compressing on the fly (the debug sandbox takes 100-190 ms
// to compress the wasm per request; see README "Performance").
//
// `mounts`: URL prefix -> directory (files read at start, recursively); `pages`: a Map of path -> text
// the caller fills as it goes (the per-load merchant pages); `proxy`: URL prefix -> origin,
// forwarded as is (ours: /api/ to the sandbox, so the page, the widget and the platform
// API share one origin as on a merchant's site behind a CDN; /merchant/ to the sandbox's
// demo shop, the merchant's server that creates orders). Adyen's own endpoints are answered
// here (the page points them at this origin; *.adyen.com is blocked): analytics setup gets
// an attempt id; images, translations and the risk iframe 404 (not in the npm package; the
// browser is offline). `hits` lists every request.
import { createServer, request } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
};

const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } });
const gz = (buf) => gzipSync(buf, { level: 9 });

/** Sizes of `buf`: raw, gzip -9, brotli 11. */
export function compressed(buf) {
  return { raw: buf.length, gzip: gz(buf).length, br: br(buf).length };
}

function entry(name, body) {
  return { type: TYPES[path.extname(name)] || 'application/octet-stream', identity: body, gzip: gz(body), br: br(body) };
}

export function startStatic({ mounts = {}, pages = new Map(), proxy = {} } = {}) {
  const files = new Map();
  // Every file under each mounted directory (a release's folder and lang/ included), but
  // not the build's own .br/.gz copies: compressed here, by the one implementation above.
  const add = (prefix, dir) => {
    for (const name of readdirSync(dir)) {
      const f = path.join(dir, name);
      if (statSync(f).isDirectory()) { if (name !== 'node_modules') add(`${prefix}${name}/`, f); continue; }
      if (/\.(br|gz)$/.test(name)) continue;
      files.set(`${prefix}${name}`, entry(name, readFileSync(f)));
    }
  };
  for (const [prefix, dir] of Object.entries(mounts)) add(prefix, dir);
  const hits = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    hits.push(`${req.method} ${url.pathname}`);
    const target = Object.entries(proxy).find(([prefix]) => url.pathname.startsWith(prefix));
    if (target) {
      const to = new URL(req.url, target[1]);
      // As the page's own server would: no Origin (the sandbox's demo shop refuses a POST
      // whose Origin is not its own; here the shop and the page share this origin).
      const { origin: _origin, ...rest } = req.headers;
      const headers = { ...rest, host: to.host };
      const up = request(to, { method: req.method, headers }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
      up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      req.pipe(up);
      return;
    }
    req.resume();
    if (url.pathname.startsWith('/adyen-test-analytics/')) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ checkoutAttemptId: 'bench-local-attempt' }));
      return;
    }
    const key = url.pathname === '/' ? '/index.html' : url.pathname;
    let f = files.get(key);
    if (!f && pages.has(key)) f = entry(key, Buffer.from(pages.get(key)));
    if (!f || (req.method !== 'GET' && req.method !== 'HEAD')) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
    const accept = String(req.headers['accept-encoding'] || '');
    const enc = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : 'identity';
    const headers = {
      'content-type': f.type, vary: 'Accept-Encoding', 'content-length': f[enc].length,
      'cache-control': f.type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300, must-revalidate',
    };
    if (enc !== 'identity') headers['content-encoding'] = enc;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : f[enc]);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      hits,
      pages,
      stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
    });
  }));
}
