/**
 * A bulk upload into an import: rows checked one by one (a bad row is reported, never fatal), then
 * written in batches of {@link BULK_BATCH_SIZE} (one `find` and one unordered `bulkWrite` of
 * upserts keyed by org + phone each), the import's counts moved by an atomic `$inc` per batch.
 */
import { AppError } from '../platform/http/errors.js';
import type { ImportRowError } from './models.js';
import { describeProblems, normalizeContact } from './normalize.js';
import { contactFieldsSchema } from './schemas.js';
import type { BatchResult, BulkRow, ContactStore, ImportStore } from './store.js';

export const MAX_BULK_ROWS = 10_000;
/** Bulk uploads' own body limit: 10,000 rows of up to ~3 KiB each (the rest of the API keeps 1 MiB). */
export const BULK_CONTACTS_PATH = '/api/v1/contacts/bulk';
export const BULK_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const BULK_BATCH_SIZE = 500;

export interface BulkDeps {
  contacts: ContactStore;
  imports: ImportStore;
}

/** Checks one row: its fields, or the error to report for it. */
export function checkRow(raw: unknown, row: number): BulkRow | ImportRowError {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { row, code: 'VALIDATION_ERROR', message: 'a row must be an object' };
  const parsed = contactFieldsSchema.safeParse(raw);
  if (!parsed.success) {
    const onlyValues = parsed.error.issues.every((i) => i.code === 'invalid_value');
    const message = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'row'}: ${i.message}`).join('; ');
    return { row, code: onlyValues ? 'INVALID_VALUE' : 'VALIDATION_ERROR', message };
  }
  const normalized = normalizeContact(parsed.data);
  if (!normalized.ok) return { row, code: 'INVALID_VALUE', message: describeProblems(normalized.problems) };
  return { row, value: { ...normalized.value, phone: normalized.value.phone ?? '' } };
}

/**
 * Imports `rows` (in order; row numbers start at 1) into import `imp` of `orgId`. More than
 * {@link MAX_BULK_ROWS} rows: stops reading at the first row over the limit and answers 413; the
 * rows before it stay applied (details say how many), and since rows are upserts, sending the rest
 * again in smaller requests is safe.
 */
export async function importRows(deps: BulkDeps, orgId: string, imp: { id: string; source: string }, rows: AsyncIterable<unknown> | Iterable<unknown>): Promise<BatchResult> {
  const total: BatchResult = { created: 0, updated: 0, failed: 0, errors: [] };
  let batch: BulkRow[] = [];
  let phones = new Set<string>();
  let pendingErrors: ImportRowError[] = [];

  const flush = async () => {
    const outcome = await deps.contacts.upsertBatch(orgId, imp, batch);
    const withInvalid: BatchResult = { ...outcome, failed: outcome.failed + pendingErrors.length, errors: [...pendingErrors, ...outcome.errors].sort((a, b) => a.row - b.row) };
    await deps.imports.addOutcome(orgId, imp.id, withInvalid);
    total.created += withInvalid.created;
    total.updated += withInvalid.updated;
    total.failed += withInvalid.failed;
    for (const e of withInvalid.errors) total.errors.push(e);
    batch = [];
    phones = new Set();
    pendingErrors = [];
  };

  let n = 0;
  for await (const raw of rows) {
    n += 1;
    if (n > MAX_BULK_ROWS) {
      await flush();
      throw new AppError('PAYLOAD_TOO_LARGE', `At most ${MAX_BULK_ROWS} rows per request; the first ${MAX_BULK_ROWS} were applied, nothing after them was read`, {
        max_rows: MAX_BULK_ROWS,
        applied: { created: total.created, updated: total.updated, failed: total.failed },
      });
    }
    const checked = checkRow(raw, n);
    if ('code' in checked) {
      pendingErrors.push(checked);
      continue;
    }
    // The same phone twice in a batch: write what came before first, so the second one updates it.
    if (phones.has(checked.value.phone)) await flush();
    batch.push(checked);
    phones.add(checked.value.phone);
    if (batch.length >= BULK_BATCH_SIZE) await flush();
  }
  if (batch.length || pendingErrors.length) await flush();
  total.errors.sort((a, b) => a.row - b.row);
  return total;
}
