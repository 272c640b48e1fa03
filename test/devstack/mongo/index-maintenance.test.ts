/**
 * Secondary-index maintenance on updates. `Collection.replace` only repoints an index at the
 * updated document when the index's keys did not change (the usual case: `updated_at`, `status`
 * on a message log), instead of removing and re-adding it. These tests check that every index
 * structure then holds the new document (never a stale one), that documents whose keys changed,
 * or whose values changed type behind an equal key encoding (5 → [5], Long, -0), still move, and
 * that equal keys keep their order. The in-process part compares every structure with the same
 * documents indexed afresh; the wire part asserts mongod's behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Long, type Document } from '../../../devstack/mongo/bson.js';
import { Collection } from '../../../devstack/mongo/collection.js';
import { compileMatcher } from '../../../devstack/mongo/fast/filter.js';
import { countFromIndex } from '../../../devstack/mongo/fast/index-count.js';
import { walkSortedPage } from '../../../devstack/mongo/fast/sorted-walk.js';
import { normalizeIndexSpec, type Bucket, type IndexKey } from '../../../devstack/mongo/indexes.js';
import { compileFilter } from '../../../devstack/mongo/mingo-options.js';
import { encodeKey } from '../../../devstack/mongo/values.js';
import { MongoServerError } from '../../helpers/mongo-driver.js';
import { Rng } from './fast-paths-random.js';
import { openTestDb, type TestDb } from './support.js';

const LOG_INDEXES: Document[] = [
  { key: { wamid: 1 }, unique: true },
  { key: { conversation_id: 1, created_at: -1, _id: -1 } },
  { key: { kind: 1 } },
  { key: { tags: 1 } },
  { key: { org_id: 1, n: 1, _id: 1 } },
  { key: { ref: 1 }, partialFilterExpression: { ref: { $type: 'string' } } },
  { key: { campaign: 1, created_at: 1 }, sparse: true },
];

let collections = 0;

/** A message log in process, its ordered views built up front so that writes must maintain them. */
function messageLog(): Collection {
  const coll = new Collection('maint', `log${collections++}`);
  for (const spec of LOG_INDEXES) coll.createIndex(normalizeIndexSpec(spec));
  for (const index of coll.indexes) index.ordered();
  return coll;
}

/** The same documents (same objects, natural order) and indexes, indexed afresh. */
function rebuilt(coll: Collection): Collection {
  const copy = new Collection('maint', coll.name);
  for (const doc of coll.docs.values()) copy.insert(doc);
  for (const index of coll.indexes) copy.createIndex(index.spec);
  for (const index of copy.indexes) index.ordered();
  return copy;
}

/** The private structures of an index, read for comparison only. */
interface Internals {
  entries: Map<string, Bucket>;
  prefixEntries: Map<string, Bucket> | undefined;
  nonScalar: Set<string>;
}

/**
 * Every structure of every index of `coll`, as text: bucket members (by `_id` encoding, flagged
 * when the bucket holds another object than the stored document), `nonScalar`, and the ordered
 * view's buckets. Buckets are listed by sorted key; members in bucket order when `inOrder`.
 */
function structures(coll: Collection, inOrder: boolean): string[] {
  const member = (id: string, doc: Document) => (coll.docs.get(id) === doc ? id : `${id} STALE`);
  const buckets = (map: Map<string, Bucket> | undefined) =>
    [...(map ?? new Map<string, Bucket>())]
      .map(([key, bucket]) => {
        const ids = [...bucket].map(([id, doc]) => member(id, doc));
        return `${key}: ${(inOrder ? ids : ids.sort()).join(' ')}`;
      })
      .sort();
  return coll.indexes.flatMap((index) => {
    const { entries, prefixEntries, nonScalar } = index as unknown as Internals;
    const order = index.ordered();
    const walked = [...(prefixEntries?.keys() ?? [])].sort().map((prefix) => {
      const bucket = order?.bucket(prefix);
      return `${prefix}: ${bucket?.docs().map((d) => member(encodeKey(d._id), d)).join(' ')} unordered ${bucket?.unordered}`;
    });
    return [index.name, ...buckets(entries), ...buckets(prefixEntries), `nonScalar ${[...nonScalar].sort().join(' ')}`, ...walked];
  });
}

const sameKeys = (a: IndexKey[], b: IndexKey[]) => a.length === b.length && a.every((k, i) => k.encoded === b[i]?.encoded);

/** A value with the same key encoding but another type or object: what the fast path must not be fooled by. */
function retyped(rng: Rng, value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : [...value, value[0]];
  if (typeof value === 'number') return rng.pick<unknown>([[value], Number.isInteger(value) ? Long.fromNumber(value) : [value], value === 0 ? (Object.is(value, 0) ? -0 : 0) : value]);
  if (value instanceof Date) return rng.chance(0.5) ? new Date(value.getTime()) : [value];
  if (typeof value === 'string') return [value];
  return value;
}

function randomMessage(rng: Rng, id: number): Document {
  const doc: Document = { _id: id, wamid: `w${rng.int(400)}`, conversation_id: rng.pick(['c1', 'c2', 'c3']) };
  doc.created_at = rng.chance(0.8) ? new Date(Date.UTC(2024, 0, 1) + rng.int(20) * 1000) : rng.pick<unknown>([0, -0, null, 'x']);
  if (!rng.chance(0.1)) doc.kind = rng.pick(['text', 'image', 'template']);
  if (!rng.chance(0.3)) doc.tags = rng.pick<unknown>([['a'], ['a', 'b'], ['b', 'c'], [], 'a']);
  doc.org_id = rng.pick(['o1', 'o2']);
  if (!rng.chance(0.1)) doc.n = rng.pick<unknown>([0, 1, 2, 2.5, -0, null]);
  if (rng.chance(0.5)) doc.ref = rng.pick<unknown>(['r1', 'r2', 7]);
  if (rng.chance(0.3)) doc.campaign = rng.pick(['k1', 'k2']);
  doc.status = 'sent';
  return doc;
}

const INDEXED = ['wamid', 'conversation_id', 'created_at', 'kind', 'tags', 'org_id', 'n', 'ref', 'campaign'];

describe('index maintenance in process', () => {
  it('every index structure equals a fresh build across touches, retypes, re-keys, inserts and removals', () => {
    const mismatches: string[] = [];
    let fast = 0;
    for (const seed of [1, 2, 3, 4]) {
      const rng = new Rng(900 + seed);
      const coll = messageLog();
      // Bucket order is comparable with a fresh build (natural order) until some key changes.
      let inOrder = true;
      let nextId = 0;
      for (let step = 0; step < 500; step++) {
        const stored = [...coll.docs.values()];
        const roll = rng.next();
        try {
          if (roll < 0.3 || stored.length < 5) coll.insert(randomMessage(rng, nextId++));
          else if (roll < 0.95) {
            const old = rng.pick(stored);
            const next: Document = { ...old, status: rng.pick(['delivered', 'read', 'failed']), updated_at: new Date(step) };
            const write = rng.next();
            const field = rng.pick(INDEXED);
            if (write < 0.2 && field in old) next[field] = retyped(rng, old[field]);
            else if (write < 0.3 && step > 250) {
              const value: unknown = randomMessage(rng, 0)[field];
              if (value === undefined) delete next[field];
              else next[field] = value;
            }
            const unchanged = coll.indexes.filter((index) => sameKeys(index.keysOf(old), index.keysOf(next))).length;
            coll.replace(old, next);
            fast += unchanged;
            inOrder &&= unchanged === coll.indexes.length;
          } else coll.remove(rng.pick(stored));
        } catch (err) {
          if (!(err as Error).message.includes('E11000')) throw err;
        }
        if (step % 10 !== 0) continue;
        const got = structures(coll, inOrder);
        const expected = structures(rebuilt(coll), inOrder);
        const diff = got.filter((line, i) => line !== expected[i]);
        if (diff.length > 0 || got.length !== expected.length) mismatches.push(`seed ${seed} step ${step}: ${diff.slice(0, 3).join(' | ')}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(1000);
  });

  it('an update behind an unchanged key encoding re-derives the order and the exact counts', () => {
    const coll = messageLog();
    for (let i = 0; i < 4; i++) coll.insert({ _id: i, wamid: `w${i}`, org_id: 'o1', n: i, status: 'sent' });
    const filter = { org_id: 'o1' };
    const page = () => walkSortedPage(coll, filter, { n: 1, _id: 1 }, 0, 0, compileMatcher(filter), Infinity);
    const reference = () => compileFilter(filter).find<Document>(coll.docs.values()).sort({ n: 1, _id: 1 }).all();
    expect(page()).toEqual(reference());
    const swap = (id: number, change: Document) => coll.replace(coll.docs.get(encodeKey(id)) as Document, { ...coll.docs.get(encodeKey(id)), ...change });
    // [2] and Long(2) share 2's key: the walk must now refuse the bucket and counts fall back to matching.
    for (const value of [[2], Long.fromNumber(2)]) {
      swap(2, { n: value, status: 'read' });
      expect(page()).toBeUndefined();
      expect(countFromIndex(coll, filter)).toBeUndefined();
      swap(2, { n: 2 });
      expect(page()).toEqual(reference());
      expect(page()?.[2]).toBe(coll.docs.get(encodeKey(2)));
      expect(countFromIndex(coll, filter)).toBe(4);
    }
    // -0 and 0 share a key and a place; the page holds the new document either way.
    swap(0, { n: -0, status: 'read' });
    expect(page()).toEqual(reference());
    expect(Object.is(page()?.[0]?.n, -0)).toBe(true);
  });
});

describe('index maintenance through the wire (mongod semantics)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb('indexmaint');
  });
  afterAll(async () => {
    await t.dispose();
  });

  const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 12, minute));

  async function seededLog(name: string) {
    const coll = t.db.collection<Document & { _id: string }>(name);
    for (const spec of LOG_INDEXES) {
      const { key, ...options } = spec;
      await coll.createIndex(key as Document, options);
    }
    await coll.insertMany(
      Array.from({ length: 6 }, (_, i) => ({
        _id: `m${i}`,
        wamid: `w${i}`,
        conversation_id: i < 4 ? 'c1' : 'c2',
        created_at: at(i < 2 ? 0 : i),
        kind: 'text',
        tags: i % 2 === 0 ? ['a', 'b'] : ['a'],
        org_id: 'o1',
        n: i % 3,
        ...(i < 3 ? { ref: `r${i}` } : { ref: i }),
        ...(i % 2 === 1 ? { campaign: 'k1' } : {}),
        status: 'sent',
      })),
    );
    // Read sorted pages first, so the embedded server has built the ordered views the updates must maintain.
    await coll.find({ conversation_id: 'c1' }).sort({ created_at: -1, _id: -1 }).limit(3).toArray();
    await coll.find({ org_id: 'o1' }).sort({ n: 1, _id: 1 }).limit(3).toArray();
    return coll;
  }

  const statuses = (docs: Document[]) => docs.map((d) => `${String(d._id)}:${String(d.status)}`);

  it('an update of unindexed fields shows through every index, in the same order', async () => {
    const coll = await seededLog('touched');
    const before = await coll.find({ kind: 'text' }).hint({ kind: 1 }).toArray();
    expect(before.map((d) => d._id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    for (const id of ['m0', 'm1', 'm4']) {
      await coll.updateOne({ wamid: `w${id.slice(1)}` }, { $set: { status: 'read', updated_at: at(59) } });
    }
    expect((await coll.findOne({ wamid: 'w1' }))?.status).toBe('read');
    // Equal keys stay in insertion (RecordId) order: the updates did not move m0, m1, m4.
    const read = ['m0:read', 'm1:read', 'm2:sent', 'm3:sent', 'm4:read', 'm5:sent'];
    expect(statuses(await coll.find({ kind: 'text' }).hint({ kind: 1 }).toArray())).toEqual(read);
    expect(statuses(await coll.find({ conversation_id: 'c1' }).sort({ created_at: -1, _id: -1 }).toArray())).toEqual(['m3:sent', 'm2:sent', 'm1:read', 'm0:read']);
    expect(statuses(await coll.find({ conversation_id: 'c1', created_at: at(0) }).sort({ created_at: 1, _id: 1 }).toArray())).toEqual(['m0:read', 'm1:read']);
    expect(statuses(await coll.find({ org_id: 'o1' }).sort({ n: 1, _id: 1 }).limit(3).toArray())).toEqual(['m0:read', 'm3:sent', 'm1:read']);
    expect(statuses(await coll.find({ tags: 'b' }).hint({ tags: 1 }).toArray())).toEqual(['m0:read', 'm2:sent', 'm4:read']);
    expect(statuses(await coll.find({ ref: 'r1' }).toArray())).toEqual(['m1:read']);
    expect(statuses(await coll.find({ campaign: 'k1' }).hint({ campaign: 1, created_at: 1 }).toArray())).toEqual(['m1:read', 'm3:sent', 'm5:sent']);
    expect(await coll.countDocuments({ kind: 'text' })).toBe(6);
    expect(await coll.countDocuments({ status: 'read', kind: 'text' })).toBe(3);
    expect(await coll.countDocuments({ org_id: 'o1', n: 1 })).toBe(2);
  });

  it('an update of indexed fields moves the document; unique keys stay enforced', async () => {
    const coll = await seededLog('rekeyed');
    await coll.updateOne({ _id: 'm1' }, { $set: { status: 'read' } });
    const dup = await coll.updateOne({ _id: 'm2' }, { $set: { wamid: 'w1' } }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(MongoServerError);
    expect((dup as MongoServerError).code).toBe(11000);
    const insertDup = await coll.insertOne({ _id: 'm9', wamid: 'w1' }).catch((e: unknown) => e);
    expect((insertDup as MongoServerError).code).toBe(11000);
    // The document's own key is no conflict for it.
    await coll.updateOne({ wamid: 'w1' }, { $set: { status: 'delivered' } });
    await coll.updateOne({ _id: 'm1' }, { $set: { conversation_id: 'c2', created_at: at(30), tags: ['a', 'c'], n: 2, ref: 1, campaign: 'k2' } });
    expect(statuses(await coll.find({ conversation_id: 'c1' }).sort({ created_at: -1, _id: -1 }).toArray())).toEqual(['m3:sent', 'm2:sent', 'm0:sent']);
    expect(statuses(await coll.find({ conversation_id: 'c2' }).sort({ created_at: -1, _id: -1 }).toArray())).toEqual(['m1:delivered', 'm5:sent', 'm4:sent']);
    expect(statuses(await coll.find({ tags: 'c' }).toArray())).toEqual(['m1:delivered']);
    expect(await coll.countDocuments({ tags: 'a' })).toBe(6);
    expect(await coll.find({ ref: 'r1' }).toArray()).toEqual([]);
    expect(statuses(await coll.find({ campaign: 'k2' }).hint({ campaign: 1, created_at: 1 }).toArray())).toEqual(['m1:delivered']);
    expect((await coll.find({ org_id: 'o1' }).sort({ n: -1, _id: -1 }).limit(2).toArray()).map((d) => d._id)).toEqual(['m5', 'm2']);
    // Moving back into the partial index makes the document findable by it again.
    await coll.updateOne({ _id: 'm4' }, { $set: { ref: 'r4' } });
    expect(statuses(await coll.find({ ref: 'r4' }).toArray())).toEqual(['m4:sent']);
  });
});
