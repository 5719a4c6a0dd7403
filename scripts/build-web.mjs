// Builds the web UI (web/, React + Vite) into dist/web, which the server serves at /.
// Vite does not type-check, so the web tsconfig is checked first: a type error fails the build.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));

const tsc = spawnSync(process.execPath, [`${repo}node_modules/typescript/bin/tsc`, '-p', `${repo}web/tsconfig.json`], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build-web: type errors in web/ (see above)');
  process.exit(1);
}

await build({ configFile: `${repo}web/vite.config.ts`, logLevel: 'warn' });
console.log('build-web: dist/web written');
