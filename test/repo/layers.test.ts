import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const config = createRequire(import.meta.url)(join(repoRoot, '.dependency-cruiser.cjs')) as IConfiguration;

/** Runs the project's layer rules over `folders` of `baseDir`, as `npm run lint` does. */
async function violationsIn(baseDir: string, folders: string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const previous = process.cwd();
  process.chdir(baseDir);
  try {
    const { output } = await cruise(folders, { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, tsConfig: { fileName: join(baseDir, 'tsconfig.json') } });
    return (output as ICruiseResult).summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    process.chdir(previous);
  }
}

/** A throwaway tree laid out like the repo: `files` maps paths to their source. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'puente-layers-'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  made.push(root);
  return root;
}
const made: string[] = [];
afterAll(() => made.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('the layer rule (dependency-cruiser, run by npm run lint)', () => {
  it('finds no upward import and no cycle in the product', async () => {
    expect(await violationsIn(repoRoot, ['src', 'bot', 'crm-bridge', 'queues', 'devstack'])).toEqual([]);
  });

  it('fails on lane infrastructure that imports a feature module', async () => {
    const root = tree({
      'bot/runner.ts': 'export const bot = 1;\n',
      'queues/mailbox.ts': "import { bot } from '../bot/runner.js';\nexport const x = bot;\n",
    });
    expect(await violationsIn(root, ['bot', 'queues'])).toEqual([{ rule: 'no-upward-import-into-modules', from: 'queues/mailbox.ts', to: 'bot/runner.ts' }]);
  });

  it('fails on a module that reaches up into the composition root, even for a type', async () => {
    const root = tree({
      'src/app/deps.ts': 'export interface Deps { a: number }\n',
      'crm-bridge/index.ts': "import type { Deps } from '../src/app/deps.js';\nexport type X = Deps;\n",
    });
    expect(await violationsIn(root, ['src', 'crm-bridge'])).toEqual([{ rule: 'no-upward-import-into-composition', from: 'crm-bridge/index.ts', to: 'src/app/deps.ts' }]);
  });

  it('fails on the platform importing an adapter', async () => {
    const root = tree({
      'src/whatsapp/signature.ts': 'export const sign = 1;\n',
      'src/platform/http/auth.ts': "import { sign } from '../../whatsapp/signature.js';\nexport const y = sign;\n",
    });
    expect(await violationsIn(root, ['src'])).toEqual([{ rule: 'no-upward-import-into-adapters', from: 'src/platform/http/auth.ts', to: 'src/whatsapp/signature.ts' }]);
  });

  it('fails on an import cycle between two modules', async () => {
    const root = tree({
      'src/conversations/index.ts': "import { b } from '../../bot/index.js';\nexport const a = b;\n",
      'bot/index.ts': "import { a } from '../src/conversations/index.js';\nexport const b = () => a;\n",
    });
    const rules = (await violationsIn(root, ['src', 'bot'])).map((v) => v.rule);
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules)).toEqual(new Set(['no-cycle']));
  });

  it('lets a module import a lower layer', async () => {
    const root = tree({
      'src/platform/http/errors.ts': 'export class AppError extends Error {}\n',
      'src/whatsapp/messages.ts': "import { AppError } from '../platform/http/errors.js';\nexport const m = AppError;\n",
      'crm-bridge/routes.ts': "import { m } from '../src/whatsapp/messages.js';\nexport const r = m;\n",
      'src/app/deps.ts': "import { r } from '../../crm-bridge/routes.js';\nexport const d = r;\n",
    });
    expect(await violationsIn(root, ['src', 'crm-bridge'])).toEqual([]);
  });
});
