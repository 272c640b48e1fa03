import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${repoRoot}${file}`, 'utf8');

/** The image is built without Docker in CI; these checks keep its build stage in step with the code. */
describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const buildStage = dockerfile.slice(0, dockerfile.indexOf('FROM', dockerfile.indexOf('FROM') + 1));
  const copied = [...buildStage.matchAll(/^COPY (?!--from)(\S+) \.\/(\S*)$/gm)].map((m) => m[1]);

  it('copies every folder the production build compiles into the build stage', () => {
    const include = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    expect(include.length).toBeGreaterThan(0);
    for (const folder of include) expect(copied, `COPY ${folder} ./${folder} missing`).toContain(folder);
  });

  it('ships the data files the bot reads at run time', () => {
    expect(dockerfile).toMatch(/^COPY --from=build \S+ \/app\/bot \.\/bot$/m);
  });
});
