// Copies the files `tsc` does not emit (Lua scripts) into dist/ at the same relative paths, from
// the folders the production build compiles, so built code finds them next to itself.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ASSET_EXTENSIONS = new Set(['.lua']);
const root = fileURLToPath(new URL('../', import.meta.url));
const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));

let copied = 0;
for (const folder of include) {
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !ASSET_EXTENSIONS.has(extname(entry.name))) continue;
    const from = join(entry.parentPath, entry.name);
    const to = join(root, 'dist', relative(root, from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    copied++;
  }
}
console.log(`copy-assets: ${copied} file(s) into dist/`);
