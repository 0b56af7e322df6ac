// Which workspace packages need a build: dist/ missing, or older than their src/ or package.json.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The package folders (relative to `root`) among `dirs` whose dist/ is missing or stale. */
export function stalePackages(root, dirs) {
  return dirs.filter((dir) => {
    const dist = join(root, dir, 'dist');
    const sources = Math.max(newestMtime(join(root, dir, 'src')), newestMtime(join(root, dir, 'package.json')));
    return !existsSync(join(dist, 'index.mjs')) || sources > newestMtime(dist);
  });
}
