// Builds the two static pages under web/: the officials' console (index.html) and the villager's
// ballot page (ballot.html), each with its own bundle, into dist/web with hashed files in assets/.
// The server's CSP allows no inline script or style, so the build must not inject any.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(root, 'web');
/** Served by the server from here (server/paths.ts WEB_DIST). */
const outDir = path.join(root, 'dist', 'web');

// The ballot page is built on its own, after the console: a runtime chunk shared with the console
// carries every part of Svelte the console uses, and the page must stay under 25 KB gzipped
// (scripts/measure-ballot-bundle.ts); it also targets older phones than the console does.
// Gzip and Brotli copies beside every text asset, served by @fastify/static (preCompressed) to
// phones on weak networks without compressing on each request.
function precompress(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !/\.(js|css|html|svg|json)$/.test(entry.name)) continue;
    const data = fs.readFileSync(file);
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data));
  }
}

/** After the console build, the ballot page's own build into the same output directory (which
 * `vite build --outDir` may have moved, e.g. the benchmark's scratch build). */
function ballotPageBuild(): Plugin {
  let out = outDir;
  return {
    name: 'ballot-page-build',
    apply: 'build',
    configResolved(config) {
      out = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await build({
        configFile: fileURLToPath(import.meta.url),
        mode: 'ballot',
        logLevel: 'warn',
        build: { outDir: out, emptyOutDir: false },
      });
      precompress(out);
    },
  };
}

export default defineConfig(({ mode }) => {
  const ballot = mode === 'ballot';
  return {
    root: web,
    base: '/',
    plugins: ballot ? [svelte()] : [svelte(), ballotPageBuild()],
    build: {
      outDir,
      // the console build empties the directory; the ballot build then adds to it
      emptyOutDir: !ballot,
      assetsDir: 'assets',
      // Always emit files: an inlined data: script or font would be refused by the CSP.
      assetsInlineLimit: 0,
      // The polyfill is an inline <script>, which the CSP refuses; every supported browser has
      // native modulepreload or loads the chunks anyway.
      modulePreload: { polyfill: false },
      // The one chunk above vite's 500 kB notice is ECharts (the parts the board draws, 177 kB
      // gzipped), imported dynamically by the board page alone; no other page loads it.
      chunkSizeWarningLimit: 600,
      // Villagers' phones: WeChat's X5/XWeb, older Android WebViews (Chrome 71+), iOS 12.1.
      target: ballot ? ['es2019', 'chrome71', 'safari12.1'] : 'es2020',
      rolldownOptions: {
        // Svelte's compiler dominates the build time; the warning that says so is noise on 2 cores.
        checks: { bundlerTimings: false },
        input: (ballot
          ? { ballot: path.join(web, 'ballot.html') }
          : { console: path.join(web, 'index.html') }) as Record<string, string>,
        // The console's Svelte runtime: one long-cached file with a name that says what it is.
        output: ballot ? {} : { codeSplitting: { groups: [{ name: 'svelte', test: /node_modules[\\/]svelte[\\/]/ }] } },
      },
    },
  };
});
