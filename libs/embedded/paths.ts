import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found from this file whether it runs from source or from `dist/`. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'perimeter'
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no perimeter package.json above ${__dirname}`);
    dir = parent;
  }
}

/** Git-ignored folder for built third-party tools (the Temporal CLI, later an S3 server). */
export function toolsDir(): string {
  return process.env.PERIMETER_TOOLS_DIR ?? path.join(projectRoot(), '.tools');
}
