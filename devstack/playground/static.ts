/**
 * The page and its assets, read from `public/` next to this file on every request (edit and
 * reload, no build step), served with their content types and `Cache-Control: no-store`.
 */
import { readFile } from 'node:fs/promises';
import { Hono, type Context } from 'hono';

const PUBLIC_DIR = new URL('./public/', import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

/** Only plain file names of known types: no traversal, no dot files. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(css|js|svg|png|ico)$/;

const NO_CACHE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

async function readPublic(name: string): Promise<Buffer | undefined> {
  try {
    return await readFile(new URL(name, PUBLIC_DIR));
  } catch {
    return undefined;
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function staticRoutes(): Hono {
  const app = new Hono();

  // The page links its assets under the path it was served from, so the mount point is free.
  const page = async (c: Context) => {
    const html = await readPublic('index.html');
    if (!html) return c.text('playground page missing', 404);
    const base = escapeAttribute(c.req.path.replace(/\/+$/, ''));
    return c.body(html.toString('utf8').replaceAll('{{BASE}}', base), 200, { ...NO_CACHE, 'content-type': CONTENT_TYPES.html ?? 'text/html' });
  };
  app.get('/', page);
  // `/playground/` as well as `/playground` (a mounted '/' route matches only the latter).
  app.use('*', async (c, next) => {
    const mount = c.req.routePath.replace(/\/\*$/, '');
    if (c.req.method === 'GET' && mount !== '' && c.req.path === `${mount}/`) return page(c);
    await next();
  });

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const match = ASSET_NAME.exec(name);
    const type = match?.[1] ? CONTENT_TYPES[match[1]] : undefined;
    const file = match && type ? await readPublic(name) : undefined;
    if (!file || !type) return c.json({ error: { code: 'NOT_FOUND', message: `No asset ${name}` } }, 404, NO_CACHE);
    return c.body(new Uint8Array(file), 200, { ...NO_CACHE, 'content-type': type });
  });

  return app;
}
