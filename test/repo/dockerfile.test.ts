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

  it('builds and runs on one Node LTS image, pinned by digest, the line CI also tests on', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)-[a-z-]+@sha256:[0-9a-f]{64}$/m.exec(dockerfile);
    expect(image, 'ARG NODE_IMAGE=node:<major>-<variant>@sha256:<digest>').not.toBeNull();
    // Every stage starts from that one pinned image: no unpinned FROM line.
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    // Even-numbered lines are the LTS ones; .ci/run runs the tests on the version in .ci/node-lts.
    const major = Number(image?.[1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThan(20);
    expect(read('.ci/node-lts').trim()).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  it('ships the data files the bot reads at run time', () => {
    expect(dockerfile).toMatch(/^COPY --from=build \S+ \/app\/bot \.\/bot$/m);
  });
});
