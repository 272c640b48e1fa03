/** MongoDB's duplicate-key error (E11000), with the index's key pattern and the clashing value. */
export const isDuplicateKey = (err: unknown): err is { code: number; keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> } =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
