import { beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/redis.js';
import { useRoad, type Road } from '../helpers/road.js';
import { recordGraph, userOf } from '../helpers/transcript.js';

type StoredContact = { _id: string; org_id: string; phone: string; source: string; name?: string; whatsapp_profile_name?: string; last_inbound_at?: Date };

describe('a WhatsApp user who writes in becomes a contact of the number’s organization', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });
  const contactOf = (phone: string) => road.deps.mongo.connection.collection<StoredContact>('contacts').findOne({ phone });

  it('creates the contact after the bot answered, with source whatsapp, the profile name and the last inbound time', async () => {
    const graph = recordGraph();
    const user = userOf(road, graph, '573500000071');
    const [menu] = await user.say('hola');
    expect(menu).toBeDefined();
    await waitFor(async () => (await contactOf('573500000071')) !== null, 5_000, 'the contact');
    const contact = (await contactOf('573500000071'))!;
    expect(contact).toMatchObject({ org_id: 'default', phone: '573500000071', source: 'whatsapp', whatsapp_profile_name: 'Camila Restrepo' });
    expect(contact.last_inbound_at).toBeInstanceOf(Date);
    expect(Math.abs(contact.last_inbound_at!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('keeps one contact per number however many messages the user sends', async () => {
    const graph = recordGraph();
    const user = userOf(road, graph, '573500000072');
    await user.say('hola');
    await user.say('menu');
    await user.say('2');
    await waitFor(async () => (await contactOf('573500000072')) !== null, 5_000, 'the contact');
    expect(await road.deps.mongo.connection.collection('contacts').countDocuments({ phone: '573500000072' })).toBe(1);
  });
});
