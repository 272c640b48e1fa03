import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactsModule, type ContactsModule } from '../../../src/contacts/index.js';
import { csvRecordToFields, detectDelimiter, readCsv } from '../../../src/contacts/csv.js';
import { normalizePhone } from '../../../src/contacts/phone.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

describe('normalizePhone', () => {
  it.each([
    ['3001234567', '573001234567'],
    ['+57 300 123 4567', '573001234567'],
    ['573001234567', '573001234567'],
    ['0057 300 123 4567', '573001234567'],
    ['300-123-4567', '573001234567'],
    ['+1 212 736 5000', '12127365000'],
    ['12127365000', '12127365000'],
    ['+44 20 7946 0958', '442079460958'],
  ])('%s → %s', (input, expected) => expect(normalizePhone(input)).toBe(expected));

  it.each(['garbage', '', '12', '+57 300', '300123456a', '2127365000'])('%j is not a number', (input) => expect(normalizePhone(input)).toBeUndefined());
});

describe('CSV reading', () => {
  const rows = async (text: string, chunk = 7) => {
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk));
    const out: Record<string, unknown>[] = [];
    for await (const r of readCsv(Readable.from(chunks))) out.push(csvRecordToFields(r));
    return out;
  };

  it('detects the delimiter from the header line', () => {
    expect(detectDelimiter('nombre;telefono;correo')).toBe(';');
    expect(detectDelimiter('name,phone,"a;b"')).toBe(',');
    expect(detectDelimiter('name\tphone')).toBe('\t');
    expect(detectDelimiter('phone')).toBe(',');
  });

  it('handles a BOM split across chunks, ; and quoted newlines', async () => {
    expect(await rows('\uFEFFTeléfono;Nombre;Etiquetas\n3001234567;"a;\nb";"x|y"\n', 2)).toEqual([{ phone: '3001234567', name: 'a;\nb', tags: ['x', 'y'] }]);
  });

  it('maps yes/no and unknown columns', async () => {
    expect(await rows('phone,no_contactar,Custom Thing\n1,sí,v\n')).toEqual([{ phone: '1', do_not_contact: true, custom_fields: { 'Custom Thing': 'v' } }]);
  });
});

describe('recordWhatsAppContact', () => {
  let deps: TestDeps;
  let contacts: ContactsModule;
  beforeAll(async () => {
    deps = await createTestDeps();
    contacts = createContactsModule({ connection: deps.mongo.connection });
  });
  afterAll(async () => deps.cleanup());

  it('creates the contact once, keeps the profile name and moves last_inbound_at forward only', async () => {
    const t1 = new Date('2025-03-01T10:00:00Z');
    const first = await contacts.recordWhatsAppContact({ orgId: 'org_a', phone: '573001234567', profileName: 'María', at: t1 });
    expect(first.created).toBe(true);
    const again = await contacts.recordWhatsAppContact({ orgId: 'org_a', phone: '573001234567', profileName: 'Mari', at: new Date('2025-03-01T11:00:00Z') });
    expect(again).toEqual({ id: first.id, created: false });
    await contacts.recordWhatsAppContact({ orgId: 'org_a', phone: '573001234567', at: new Date('2025-03-01T09:00:00Z') });
    const doc = await contacts.contacts.get('org_a', first.id);
    expect(doc).toMatchObject({ source: 'whatsapp', name: 'María', whatsapp_profile_name: 'Mari', last_inbound_at: new Date('2025-03-01T11:00:00Z'), opt_in_status: 'unknown', created_at: t1 });
    // Another organization gets its own contact for the same user.
    expect((await contacts.recordWhatsAppContact({ orgId: 'org_b', phone: '573001234567', at: t1 })).created).toBe(true);
    expect(await contacts.contacts.get('org_b', first.id)).toBeNull();
  });

  it('records many users in one go: new ones created, known ones updated, a race with another process becomes an update', async () => {
    const t = new Date('2025-04-01T10:00:00Z');
    await contacts.recordWhatsAppContact({ orgId: 'org_m', phone: '573001000001', profileName: 'Ya existía', at: t });
    const later = new Date('2025-04-01T12:00:00Z');
    const users = [
      { phone: '573001000001', profileName: 'Nuevo nombre', at: later },
      { phone: '573001000002', profileName: 'Nueva', at: later },
      { phone: '573001000003', at: later },
    ];
    expect(await contacts.contacts.recordWhatsAppMany('org_m', users)).toEqual({ created: 2 });
    const stored = await deps.mongo.connection.collection('contacts').find({ org_id: 'org_m' }).sort({ phone: 1 }).toArray();
    expect(stored.map((c) => [c.phone, c.name, c.whatsapp_profile_name, c.source])).toEqual([
      ['573001000001', 'Ya existía', 'Nuevo nombre', 'whatsapp'],
      ['573001000002', 'Nueva', 'Nueva', 'whatsapp'],
      ['573001000003', undefined, undefined, 'whatsapp'],
    ]);
    expect(stored.every((c) => (c.last_inbound_at as Date).getTime() === later.getTime())).toBe(true);
    // Two processes recording the same new users at once: one contact each, no error.
    const racers = [{ phone: '573001000004', at: later }, { phone: '573001000005', at: later }];
    await Promise.all([contacts.contacts.recordWhatsAppMany('org_m', racers), contacts.contacts.recordWhatsAppMany('org_m', racers)]);
    expect(await deps.mongo.connection.collection('contacts').countDocuments({ org_id: 'org_m', phone: { $in: ['573001000004', '573001000005'] } })).toBe(2);
  });

  it('keeps one contact when two first messages race', async () => {
    const at = new Date();
    const results = await Promise.all(Array.from({ length: 5 }, () => contacts.recordWhatsAppContact({ orgId: 'org_c', phone: '12127365000', profileName: 'John', at })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('refuses something that is no WhatsApp id', async () => {
    await expect(contacts.recordWhatsAppContact({ orgId: 'org_a', phone: 'abc', at: new Date() })).rejects.toThrow();
  });
});
