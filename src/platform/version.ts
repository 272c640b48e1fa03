import { readFileSync } from 'node:fs';

/** The package version, read once; sent to the CRM as `User-Agent: Puente/<version>`. */
export const PUENTE_VERSION: string = (() => {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'puente' && pkg.version) return pkg.version;
    } catch {
      // try the next location: src/ in development, dist/src/ when built
    }
  }
  return '0.0.0';
})();
