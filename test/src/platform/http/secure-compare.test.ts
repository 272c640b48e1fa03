import { describe, expect, it } from 'vitest';
import { secureEquals } from '../../../../src/platform/http/secure-compare.js';

describe('secureEquals', () => {
  it('is true only for the same string, whatever the lengths, and on every repeat', () => {
    for (let round = 0; round < 2; round++) {
      expect(secureEquals('crm-token-1', 'crm-token-1')).toBe(true);
      expect(secureEquals('crm-token-2', 'crm-token-1')).toBe(false);
      expect(secureEquals('crm-token-1x', 'crm-token-1')).toBe(false);
      expect(secureEquals('', 'crm-token-1')).toBe(false);
    }
    expect(secureEquals('other', 'other')).toBe(true);
    expect(secureEquals('crm-token-1', 'other')).toBe(false);
  });

  it('never matches a missing value or a missing expectation', () => {
    expect(secureEquals(undefined, 'crm-token-1')).toBe(false);
    expect(secureEquals(null, 'crm-token-1')).toBe(false);
    expect(secureEquals('', '')).toBe(false);
    expect(secureEquals('x', undefined)).toBe(false);
  });
});
