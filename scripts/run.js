// npm run migrate | seed:demo | admin:create | import:villages | verify: runs scripts/<name>.ts.
// From the build (dist/scripts/<name>.js, plain node) when it is up to date or when the build tools
// are not installed (a production install, npm ci --omit=dev); otherwise from the sources through
// tsx, so a development checkout always runs what it has.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildState, DIST, ROOT } from './build.js';

const name = process.argv[2] ?? '';
const source = path.join(ROOT, 'scripts', `${name}.ts`);
const built = path.join(DIST, 'scripts', `${name}.js`);
if (!/^[a-z-]+$/.test(name) || !fs.existsSync(source)) {
  process.stderr.write(`用法：node scripts/run.js 脚本名 [参数…]（scripts/ 下没有 ${name}.ts）\n`);
  process.exit(2);
}

const state = buildState();
const tsx = fs.existsSync(path.join(ROOT, 'node_modules/tsx/package.json'));
let file = built;
if (state !== 'fresh' && tsx) {
  const { register } = await import('tsx/esm/api');
  register();
  file = source;
} else if (!fs.existsSync(built)) {
  process.stderr.write(
    '没有构建产物 dist/，而本安装不含 tsx（npm ci --omit=dev）：请先在完整安装下运行 npm run build。\n',
  );
  process.exit(1);
} else if (state !== 'fresh') {
  process.stderr.write(
    '注意：源码比 dist/ 新，但本安装不含构建工具，运行的是现有构建；请在完整安装下运行 npm run build。\n',
  );
}

// The script sees its own arguments, as if started as `node <file> …`.
process.argv.splice(1, 2, file);
await import(pathToFileURL(file).href);
