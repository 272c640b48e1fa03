import { describe, expect, it } from 'vitest';
import { createWhatsAppContactObserver } from '../../../src/contacts/inbound-observer.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import type { InboundEvent } from '../../../src/whatsapp/webhook-events.js';

const event = (waId: string, profileName: string, timestamp: number, phoneNumberId = '118724605391736') =>
  ({ wamid: `wamid.${waId}.${timestamp}`, waId, phoneNumberId, profileName, timestamp, type: 'text', text: 'hola' }) as unknown as InboundEvent;

describe('the contact keeper (the pipeline observer that records WhatsApp users)', () => {
  const recorder = () => {
    const calls: { orgId: string; users: { phone: string; profileName?: string; at: Date }[] }[] = [];
    return { calls, contacts: { recordWhatsAppMany: async (orgId: string, users: { phone: string; profileName?: string; at: Date }[]) => (calls.push({ orgId, users }), { created: users.length }) } };
  };

  it('gathers a burst into one write per organization, keeping each user once with their latest message', async () => {
    const { calls, contacts } = recorder();
    const observe = createWhatsAppContactObserver({ contacts, orgForNumber: async (id) => (id === '118724605391736' ? 'default' : 'org_b'), logger: createLogger({ level: 'silent' }), flushAfterMs: 10_000 });
    await observe(event('573001112233', 'Laura', 100));
    await observe(event('573001112233', 'Laura G.', 105));
    await observe(event('573004445566', 'Andrés', 101));
    await observe(event('573007778899', 'Sofía', 102, '999'));
    expect(calls).toEqual([]); // nothing written on the reply's path
    await observe.flush();
    expect(calls.map((c) => c.orgId).sort()).toEqual(['default', 'org_b']);
    const byDefault = calls.find((c) => c.orgId === 'default')!.users;
    expect(byDefault).toEqual([
      { phone: '573001112233', profileName: 'Laura G.', at: new Date(105_000) },
      { phone: '573004445566', profileName: 'Andrés', at: new Date(101_000) },
    ]);
  });

  it('writes on its own after flushAfterMs, and at once when a batch is full', async () => {
    const { calls, contacts } = recorder();
    const observe = createWhatsAppContactObserver({ contacts, orgForNumber: async () => 'default', logger: createLogger({ level: 'silent' }), flushAfterMs: 30, maxBatch: 3 });
    await observe(event('573001112233', 'A', 1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toHaveLength(1);
    for (const waId of ['573000000001', '573000000002', '573000000003']) await observe(event(waId, 'B', 2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.users).toHaveLength(3);
  });

  it('ignores a sender id that is not a wa_id, and survives a failing write', async () => {
    const observe = createWhatsAppContactObserver({
      contacts: { recordWhatsAppMany: async () => Promise.reject(new Error('mongo down')) },
      orgForNumber: async () => 'default',
      logger: createLogger({ level: 'silent' }),
    });
    await observe(event('not-a-number', 'X', 1));
    await observe(event('573001112233', 'Y', 1));
    await expect(observe.flush()).resolves.toBeUndefined();
  });
});
