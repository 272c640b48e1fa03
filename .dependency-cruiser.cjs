/**
 * The layer rule (run by `npm run lint`): a file imports from its own layer or a lower one, never
 * a higher one, and no import cycle anywhere. Layers, from the top (docs/architecture.md):
 *
 *   composition  src/app/
 *   modules      src/<feature>/ (conversations, leads, ...), bot/, crm-bridge/
 *   adapters     src/whatsapp/, src/crm/
 *   platform     src/platform/, queues/   (and devstack/, the embedded stack, which imports nothing of ours)
 *
 * test/ and bench/ may import anything; nothing in the product imports them.
 */
const COMPOSITION = '^src/app/';
const MODULES = '^(bot|crm-bridge)/|^src/(?!app/|platform/|whatsapp/|crm/)[^/]+/';
const ADAPTERS = '^src/(whatsapp|crm)/';
const PLATFORM = '^(src/platform|queues)/';
const PRODUCT = '^(src|bot|crm-bridge|queues)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle: split the shared piece out, or pass it in as a port.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-upward-import-into-composition',
      comment: 'Only the composition root (src/app) assembles modules; a module gets what it needs as factory arguments.',
      severity: 'error',
      from: { path: `${MODULES}|${ADAPTERS}|${PLATFORM}|^devstack/` },
      to: { path: COMPOSITION },
    },
    {
      name: 'no-upward-import-into-modules',
      comment: 'An adapter (Cloud API, CRM client) knows nothing of the features that use it.',
      severity: 'error',
      from: { path: `${ADAPTERS}|${PLATFORM}|^devstack/` },
      to: { path: MODULES },
    },
    {
      name: 'no-upward-import-into-adapters',
      comment: 'The platform (config, logging, http, redis, mongo, queues) is the bottom layer.',
      severity: 'error',
      from: { path: `${PLATFORM}|^devstack/` },
      to: { path: ADAPTERS },
    },
    {
      name: 'devstack-stands-alone',
      comment: 'The embedded dev stack imports nothing of the product (the product may load it).',
      severity: 'error',
      from: { path: '^devstack/' },
      to: { path: PRODUCT },
    },
    {
      name: 'product-not-to-tests-or-bench',
      severity: 'error',
      from: { path: `${PRODUCT}|^devstack/` },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
