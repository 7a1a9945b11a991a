// npm start: serve the build (dist/server/main.js under plain node). The build is made first when
// there is none, or when a source is newer than it and the build tools are installed (a
// development checkout after an edit or a pull); on a production install (npm ci --omit=dev) a
// stale build is started as it is, with a warning. npm run dev runs the sources instead (tsx watch).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, buildState, canBuild, DIST } from './build.js';

const state = buildState();
if (state !== 'fresh') {
  if (canBuild()) {
    process.stderr.write(
      state === 'missing' ? '尚无构建产物 dist/，先构建（约半分钟）…\n' : '源码比 dist/ 新，先重新构建…\n',
    );
    try {
      await build({ onlyIfNeeded: true });
    } catch (err) {
      process.stderr.write(`启动失败：${err.message}\n`);
      process.exit(1);
    }
  } else if (state === 'missing') {
    process.stderr.write(
      '启动失败：没有构建产物 dist/，而本安装不含构建工具（npm ci --omit=dev）。' +
        '请先在完整安装下运行 npm ci && npm run build，再 npm ci --omit=dev。\n',
    );
    process.exit(1);
  } else {
    process.stderr.write(
      '注意：源码比 dist/ 新，但本安装不含构建工具，仍启动现有构建；请在完整安装下运行 npm run build。\n',
    );
  }
}

process.argv[1] = path.join(DIST, 'server/main.js');
await import(pathToFileURL(process.argv[1]).href);
