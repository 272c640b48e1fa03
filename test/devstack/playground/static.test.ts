import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support.js';

const STYLES = ['playground.css', 'phone.css', 'agent.css'];
const SCRIPTS = ['playground.js', 'dom.js', 'store.js', 'messages.js', 'phone.js', 'agent.js', 'log.js'];

describe('playground page and assets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serves the page with its assets linked under the mount point', async () => {
    for (const path of ['/playground', '/playground/']) {
      const res = await h.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('href="/playground/assets/playground.css"');
      expect(html).toContain('src="/playground/assets/playground.js"');
      expect(html).toContain('data-base="/playground"');
      expect(html).not.toContain('{{BASE}}');
      for (const testid of ['user-select', 'new-user', 'phone-input', 'phone-send', 'attach-image', 'attach-document', 'attach-location', 'attach-audio', 'take-ticket', 'agent-input', 'agent-send', 'resolve-ticket', 'ticket-log']) {
        expect(html).toContain(`data-testid="${testid}"`);
      }
    }
  });

  it('serves the stylesheet, the script and the icon with their content types, uncached', async () => {
    const expected: Record<string, string> = { 'favicon.svg': 'image/svg+xml' };
    for (const name of STYLES) expected[name] = 'text/css; charset=utf-8';
    for (const name of SCRIPTS) expected[name] = 'text/javascript; charset=utf-8';
    for (const [name, type] of Object.entries(expected)) {
      const res = await h.app.request(`/playground/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect((await res.text()).length).toBeGreaterThan(100);
    }
  });

  it('answers 404 for unknown assets and anything that looks like a path outside public/', async () => {
    for (const name of ['nope.css', 'index.ts', '..%2Findex.ts', '.env', '%2e%2e%2fstatic.ts', 'playground.JS']) {
      const res = await h.app.request(`/playground/assets/${name}`);
      expect(res.status, name).toBe(404);
    }
    expect((await h.app.request('/playground/assets/../index.ts')).status).toBe(404);
  });

  it('the page links every stylesheet, and the scripts import only one another (no CDN, no build step)', async () => {
    const html = await (await h.app.request('/playground')).text();
    for (const name of STYLES) expect(html).toContain(`href="/playground/assets/${name}"`);
    const imported = new Set<string>(['playground.js']);
    for (const name of SCRIPTS) {
      const js = await (await h.app.request(`/playground/assets/${name}`)).text();
      for (const [, target] of js.matchAll(/^import [^;]+ from '([^']+)';$/gm)) {
        expect(target, `${name} imports ${target}`).toMatch(/^\.\/[a-z-]+\.js$/);
        imported.add(target?.slice(2) ?? '');
      }
    }
    expect([...imported].sort()).toEqual([...SCRIPTS].sort());
  });

  it('the scripts leave user text to textContent (no innerHTML anywhere)', async () => {
    for (const name of SCRIPTS) {
      const js = await (await h.app.request(`/playground/assets/${name}`)).text();
      expect(js, name).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/);
    }
  });
});
