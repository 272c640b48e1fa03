import { AppError } from '../../platform/http/errors.js';
import { normalizeContact, type NormalizedContact } from '../normalize.js';
import type { ContactFields } from '../schemas.js';
import type { ContactStore, ImportStore } from '../store.js';

export interface ContactRouteDeps {
  contacts: ContactStore;
  imports: ImportStore;
}

/** The value rules of normalize.ts, as a 422 naming each refused field. */
export function normalizeOrThrow(input: Partial<ContactFields>): NormalizedContact {
  const result = normalizeContact(input);
  if (!result.ok) throw new AppError('INVALID_VALUE', 'A value is not acceptable', result.problems.map((p) => ({ path: p.field, message: p.message })));
  return result.value;
}

/** The import named by `X-Import-ID` (another organization's is unknown: 404). */
export async function importFor(deps: ContactRouteDeps, orgId: string, importId: string) {
  const imp = await deps.imports.get(orgId, importId);
  if (!imp) throw new AppError('NOT_FOUND', `No import ${importId}`);
  return imp;
}

export const importIdHeader = {
  name: 'x-import-id',
  in: 'header' as const,
  description: 'The import (cohort) the contact(s) join',
  example: 'imp_k2Jd9sLq0PzX7vBn',
};
