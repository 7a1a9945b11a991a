// Files the server reads beside its code: the migrations (sql/) and the built console and ballot
// page (dist/web, from `npm run build`). Both are found from the package root, which is one level
// above this file when it runs from the sources (server/paths.ts, under tsx or vitest) and two
// levels above when it runs from the build (dist/server/paths.js, under node).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const ROOT = path.resolve(here, import.meta.url.endsWith('.js') ? '../..' : '..');
export const SQL_DIR = path.join(ROOT, 'sql');
export const WEB_DIST = path.join(ROOT, 'dist', 'web');
