// Measures what a phone downloads to show the ballot page: the scripts, module preloads and
// stylesheets named by dist/web/ballot.html plus every chunk those scripts import, each gzipped
// (level 9). Fails (exit 1) above the budget of issue 3 (25 KB of JS and CSS), or when the built
// page carries an inline script or style, which the CSP would refuse.
//   npx tsx scripts/measure-ballot-bundle.ts [dist-dir]     (after npm run build:web)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const BUDGET_BYTES = 25 * 1024;

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.js)["']/g;

function assetPath(dist: string, from: string, ref: string): string {
  return ref.startsWith('/') ? path.join(dist, ref) : path.resolve(path.dirname(from), ref);
}

/** The files the page loads: its own references, then the chunks their imports reach. */
function ballotFiles(dist: string): string[] {
  const htmlFile = path.join(dist, 'ballot.html');
  const html = fs.readFileSync(htmlFile, 'utf8');
  const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1] as string)
    .filter((ref) => /\.(js|css)$/.test(ref));
  const seen = new Set<string>();
  const queue = refs.map((ref) => assetPath(dist, htmlFile, ref));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT_RE))
      queue.push(assetPath(dist, file, m[1] as string));
  }
  return [...seen];
}

/** Inline code the CSP (script-src 'self'; style-src 'self') would block. */
function inlineProblems(html: string): string[] {
  const problems: string[] = [];
  if (/<script\b(?![^>]*\ssrc=)[^>]*>/i.test(html)) problems.push('inline <script>');
  if (/<style\b/i.test(html)) problems.push('inline <style>');
  if (/\sstyle\s*=/i.test(html)) problems.push('style attribute');
  if (/\son[a-z]+\s*=/i.test(html)) problems.push('inline event handler');
  return problems;
}

function main(): void {
  const dist = path.resolve(process.argv[2] ?? 'dist/web');
  if (!fs.existsSync(path.join(dist, 'ballot.html'))) {
    console.error(`找不到 ${path.join(dist, 'ballot.html')}：请先运行 npm run build:web`);
    process.exit(1);
  }
  let total = 0;
  let raw = 0;
  for (const file of ballotFiles(dist)) {
    const bytes = fs.readFileSync(file);
    const gz = zlib.gzipSync(bytes, { level: 9 }).length;
    total += gz;
    raw += bytes.length;
    console.log(`${String(gz).padStart(7)} B gz ${String(bytes.length).padStart(8)} B  ${path.relative(dist, file)}`);
  }
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log(
    `${String(total).padStart(7)} B gz ${String(raw).padStart(8)} B  total (${kb(total)} KB of ${kb(BUDGET_BYTES)} KB)`,
  );
  const inline = inlineProblems(fs.readFileSync(path.join(dist, 'ballot.html'), 'utf8'));
  if (inline.length > 0) console.error(`ballot.html has ${inline.join(', ')}: the CSP refuses inline code`);
  if (total > BUDGET_BYTES) console.error(`over budget by ${total - BUDGET_BYTES} B`);
  if (inline.length > 0 || total > BUDGET_BYTES) process.exit(1);
}

main();
