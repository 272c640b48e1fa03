/**
 * Sort + skip + limit over matching documents without mingo, for sort keys whose values are
 * scalars of one type per key (plus null/missing). Matching and reading the sort keys happen in
 * one pass over the candidates (at 90,000 documents, touching each document again costs as much
 * as the sort), and a page of 50 is a selection of 50 positions instead of a full sort.
 *
 * The order is exactly mingo's: its `$sort` is a stable sort on the candidates' order (ties keep
 * the order the documents came in), missing and null are one key that sorts before any value,
 * and descending keys reverse the key order but not the ties. Any array, embedded document,
 * NaN, invalid date or mix of types under one key leaves the sorting to mingo.
 */
import type { Document } from '../bson.js';
import { COMPLEX, pathReader, type PathReader, type Scalar } from './scalar.js';

/** The fast sort's page, or (when the values need mingo) every matching document in candidate order. */
export type SortOutcome = { readonly page: Document[] } | { readonly matched: Document[] };

/** Compares two matches (by position) on one sort key, in that key's direction. */
type KeyCompare = (a: number, b: number) => number;

/**
 * Documents `skip .. skip+limit` (limit 0: all) of the candidates passing `test`, in `sort`
 * order. The sort spec must be non-empty.
 */
export function sortMatches(
  candidates: Iterable<Document>,
  test: (doc: Document) => boolean,
  sort: Document,
  skip: number,
  limit: number,
): SortOutcome {
  const columns: Column[] = [];
  for (const [path, direction] of Object.entries(sort)) {
    const read = pathReader(path);
    if (!read || (direction !== 1 && direction !== -1)) return { matched: collect(candidates, test) };
    columns.push(new Column(read, direction));
  }
  const matched: Document[] = [];
  let usable = true;
  for (const doc of candidates) {
    if (!test(doc)) continue;
    matched.push(doc);
    if (usable) for (const column of columns) usable &&= column.add(doc);
  }
  if (!usable) return { matched };

  const keys = columns.map((column) => column.comparator());
  const first = keys[0] as KeyCompare;
  const compare =
    keys.length === 1
      ? (a: number, b: number): number => first(a, b) || a - b
      : (a: number, b: number): number => {
          for (let k = 0; k < keys.length; k++) {
            const c = (keys[k] as KeyCompare)(a, b);
            if (c !== 0) return c;
          }
          return a - b;
        };
  const n = matched.length;
  const wanted = limit > 0 ? skip + limit : n;
  const order = wanted < n ? smallest(n, wanted, compare) : fullSort(n, compare);
  return { page: order.slice(skip, skip + (limit > 0 ? limit : n)).map((i) => matched[i] as Document) };
}

function collect(candidates: Iterable<Document>, test: (doc: Document) => boolean): Document[] {
  const out: Document[] = [];
  for (const doc of candidates) if (test(doc)) out.push(doc);
  return out;
}

/**
 * One sort key's comparable values: numbers (numbers, dates as ms, booleans as 0/1, with NaN
 * standing for null/missing) or strings (strings, ObjectIds as hex, null for null/missing).
 */
class Column {
  private kind: Kind | undefined;
  /** Null/missing values met before the first value (which decides between the two arrays). */
  private leadingNulls = 0;
  private readonly numbers: number[] = [];
  private readonly strings: Array<string | null> = [];

  constructor(
    private readonly read: PathReader,
    private readonly direction: 1 | -1,
  ) {}

  /** Reads the next match's value; false when the key needs mingo. */
  add(doc: Document): boolean {
    const value = this.read(doc);
    if (value === COMPLEX) return false;
    if (value === null || value === undefined) {
      if (this.kind === undefined) this.leadingNulls++;
      else if (isStringKind(this.kind)) this.strings.push(null);
      else this.numbers.push(NaN);
      return true;
    }
    const kind = kindOf(value);
    if (this.kind === undefined) {
      this.kind = kind;
      for (let i = 0; i < this.leadingNulls; i++) {
        if (isStringKind(kind)) this.strings.push(null);
        else this.numbers.push(NaN);
      }
    } else if (this.kind !== kind) return false;
    if (isStringKind(kind)) {
      this.strings.push(typeof value === 'string' ? value : String(value));
      return true;
    }
    const number = value instanceof Date ? value.getTime() : Number(value);
    // NaN (a NaN number or an invalid date) has no consistent order in mingo's comparator.
    if (Number.isNaN(number)) return false;
    this.numbers.push(number);
    return true;
  }

  /** Null/missing first when ascending, then the values; descending is the exact reverse. */
  comparator(): KeyCompare {
    const { direction } = this;
    if (this.kind === undefined) return () => 0;
    if (isStringKind(this.kind)) {
      const values = this.strings;
      return (a, b) => {
        const x = values[a] as string | null;
        const y = values[b] as string | null;
        if (x === y) return 0;
        if (x === null) return -direction;
        if (y === null) return direction;
        return x < y ? -direction : direction;
      };
    }
    const values = this.numbers;
    return (a, b) => {
      const x = values[a] as number;
      const y = values[b] as number;
      if (x === y) return 0;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -direction;
      if (Number.isNaN(y)) return direction;
      return x < y ? -direction : direction;
    };
  }
}

type Kind = 'number' | 'string' | 'date' | 'boolean' | 'objectId';

function kindOf(value: NonNullable<Scalar>): Kind {
  if (typeof value !== 'object') return typeof value as 'number' | 'string' | 'boolean';
  return value instanceof Date ? 'date' : 'objectId';
}

function isStringKind(kind: Kind): boolean {
  return kind === 'string' || kind === 'objectId';
}

function fullSort(n: number, compare: KeyCompare): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return order.sort(compare);
}

/** Rounds of partitioning after which selection gives up and sorts everything (bad pivots). */
const MAX_SELECT_ROUNDS = 64;

/**
 * The `k` smallest positions in `compare` order (a strict total order: ties are broken by
 * position), by quickselect: a bounded heap degenerates when documents arrive in reverse sort
 * order, which is the usual case for "newest first".
 */
function smallest(n: number, k: number, compare: KeyCompare): number[] {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const at = (i: number): number => order[i] as number;
  let lo = 0;
  let hi = n - 1;
  for (let round = 0; hi > lo; round++) {
    if (round === MAX_SELECT_ROUNDS) return fullSort(n, compare).slice(0, k);
    const pivot = medianOfThree(at(lo), at((lo + hi) >>> 1), at(hi), compare);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (compare(at(i), pivot) < 0) i++;
      while (compare(at(j), pivot) > 0) j--;
      if (i <= j) {
        const swap = at(i);
        order[i++] = at(j);
        order[j--] = swap;
      }
    }
    // Now [lo, j] precede the pivot and [i, hi] follow it; anything between is the pivot itself.
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else break;
  }
  return Array.from(order.subarray(0, k)).sort(compare);
}

function medianOfThree(a: number, b: number, c: number, compare: KeyCompare): number {
  if (compare(a, b) < 0) {
    if (compare(b, c) < 0) return b;
    return compare(a, c) < 0 ? c : a;
  }
  if (compare(a, c) < 0) return a;
  return compare(b, c) < 0 ? c : b;
}
