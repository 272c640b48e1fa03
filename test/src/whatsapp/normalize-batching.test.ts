import { describe, expect, it } from 'vitest';
import { conversationKey, laneKeyOf, normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import type { InboundEvent } from '../../../src/whatsapp/webhook-events.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const WABA = '102290129340398';
const metadata = (phoneNumberId: string) => ({ display_phone_number: `display-${phoneNumberId}`, phone_number_id: phoneNumberId });

function textMessage(from: string, id: string, body: string, timestamp = '1749417120') {
  return { from, id, timestamp, type: 'text', text: { body } };
}

function envelope(...changes: unknown[]) {
  return { object: 'whatsapp_business_account', entry: [{ id: WABA, changes }] };
}

function messagesChange(value: Record<string, unknown>, phoneNumberId = '106540352242922') {
  return { field: 'messages', value: { messaging_product: 'whatsapp', metadata: metadata(phoneNumberId), ...value } };
}

const only = (payload: unknown): InboundEvent => {
  const { events } = normalizeWebhook(payload);
  expect(events).toHaveLength(1);
  return events[0] as InboundEvent;
};

describe('normalizeWebhook batching', () => {
  it('returns both users of the batched fixture, in order, each with its own profile name and lane', () => {
    const { events } = normalizeWebhook(fixtureJson('batched-two-messages-two-users.json'));
    expect(events.map((e) => [e.waId, e.profileName, e.type === 'text' ? e.text : null, e.timestamp])).toEqual([
      ['573154286019', 'Valentina Ocampo', '¿Me confirman la hora de la visita técnica?', 1758051015],
      ['573207731458', 'Sebastián Muñoz', 'Hola, quiero trasladar mi servicio a otra dirección', 1758051016],
    ]);
    expect(events.map(laneKeyOf)).toEqual(['118724605391736:573154286019', '118724605391736:573207731458']);
  });

  it('walks every entry × change × message: 2 entries × 2 changes × 2 messages give 8 events in payload order', () => {
    const entry = (e: number) => ({
      id: `waba-${e}`,
      changes: [0, 1].map((c) =>
        messagesChange(
          {
            contacts: [{ profile: { name: `User ${e}${c}` }, wa_id: `5730000${e}${c}0` }],
            messages: [0, 1].map((m) => textMessage(`5730000${e}${c}0`, `wamid.${e}.${c}.${m}`, `body ${e}${c}${m}`)),
          },
          `pn-${e}${c}`,
        ),
      ),
    });
    const { events } = normalizeWebhook({ object: 'whatsapp_business_account', entry: [entry(0), entry(1)] });
    expect(events.map((e) => e.wamid)).toEqual([
      'wamid.0.0.0', 'wamid.0.0.1', 'wamid.0.1.0', 'wamid.0.1.1',
      'wamid.1.0.0', 'wamid.1.0.1', 'wamid.1.1.0', 'wamid.1.1.1',
    ]);
    // Each event carries the metadata of its own change, not of the first one.
    expect(events.map((e) => e.phoneNumberId)).toEqual(['pn-00', 'pn-00', 'pn-01', 'pn-01', 'pn-10', 'pn-10', 'pn-11', 'pn-11']);
    expect(events[7]).toMatchObject({ waId: '5730000110', profileName: 'User 11', displayPhoneNumber: 'display-pn-11' });
  });

  it('collects statuses from every change alongside messages', () => {
    const status = (id: string, s: string) => ({ id, status: s, timestamp: '1749417200', recipient_id: '573001234567' });
    const result = normalizeWebhook(
      envelope(
        messagesChange({ statuses: [status('wamid.a', 'sent'), status('wamid.b', 'delivered')] }),
        messagesChange({ contacts: [{ wa_id: '573001234567' }], messages: [textMessage('573001234567', 'wamid.in', 'hola')] }),
        messagesChange({ statuses: [status('wamid.a', 'read')] }),
      ),
    );
    expect(result.statuses.map((s) => [s.wamid, s.status])).toEqual([
      ['wamid.a', 'sent'],
      ['wamid.b', 'delivered'],
      ['wamid.a', 'read'],
    ]);
    expect(result.events.map((e) => e.wamid)).toEqual(['wamid.in']);
  });

  it('keeps an unknown status string as it is', () => {
    const { statuses } = normalizeWebhook(
      envelope(messagesChange({ statuses: [{ id: 'wamid.x', status: 'deleted', timestamp: '1', recipient_id: '57300' }] })),
    );
    expect(statuses[0]?.status).toBe('deleted');
  });

  it('reports value-level errors as error events with the number they concern', () => {
    const result = normalizeWebhook(
      envelope(messagesChange({ errors: [{ code: 131000, title: 'Something went wrong', error_data: { details: 'x' } }] })),
    );
    expect(result.errors).toEqual([
      {
        phoneNumberId: '106540352242922',
        displayPhoneNumber: 'display-106540352242922',
        error: { code: 131000, title: 'Something went wrong', details: 'x' },
      },
    ]);
  });

  it('ignores changes for other fields, without validating their value, and reports their names once', () => {
    const templateUpdate = { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } };
    const result = normalizeWebhook(
      envelope(templateUpdate, messagesChange({ messages: [textMessage('573001234567', 'wamid.1', 'hola')] }), templateUpdate, {
        field: 'account_update',
        value: {},
      }),
    );
    expect(result.ignoredFields).toEqual(['message_template_status_update', 'account_update']);
    expect(result.events.map((e) => e.wamid)).toEqual(['wamid.1']);
  });
});

describe('normalizeWebhook leniency inside messages', () => {
  it('turns an unknown message type into unsupported carrying the original type name', () => {
    const event = only(envelope(messagesChange({ messages: [{ from: '573001234567', id: 'wamid.o', timestamp: '1', type: 'order', order: { catalog_id: '9' } }] })));
    expect(event).toMatchObject({ type: 'unsupported', originalType: 'order', reason: 'unknown_type', errors: [] });
  });

  it('turns an unknown interactive reply (a Flow nfm_reply) into unsupported interactive.nfm_reply', () => {
    const message = { from: '573001234567', id: 'wamid.f', timestamp: '1', type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: {} } };
    expect(only(envelope(messagesChange({ messages: [message] })))).toMatchObject({
      type: 'unsupported',
      originalType: 'interactive.nfm_reply',
      reason: 'unknown_type',
    });
  });

  it('turns a known type with a broken payload into unsupported/malformed instead of rejecting the batch', () => {
    const broken = { from: '573001234567', id: 'wamid.b', timestamp: '1', type: 'text', text: { bodyy: 'typo' } };
    const fine = textMessage('573001234567', 'wamid.ok', 'hola');
    const { events } = normalizeWebhook(envelope(messagesChange({ messages: [broken, fine] })));
    expect(events.map((e) => [e.wamid, e.type])).toEqual([
      ['wamid.b', 'unsupported'],
      ['wamid.ok', 'text'],
    ]);
    expect(events[0]).toMatchObject({ originalType: 'text', reason: 'malformed' });
  });

  it('lets unknown extra fields through at every level', () => {
    const message = { ...textMessage('573001234567', 'wamid.x', 'hola'), brand_new_field: { a: 1 }, text: { body: 'hola', extra: true } };
    const payload = {
      object: 'whatsapp_business_account',
      extra: 1,
      entry: [{ id: WABA, time: 1749417120, changes: [{ ...messagesChange({ messages: [message], future: [] }), extra: 'x' }] }],
    };
    expect(only(payload)).toMatchObject({ type: 'text', text: 'hola', wamid: 'wamid.x' });
  });

  it('treats a reaction without emoji, or with "", as a removal', () => {
    const reaction = (extra: object) => ({ from: '573001234567', id: 'wamid.r', timestamp: '1', type: 'reaction', reaction: { message_id: 'wamid.target', ...extra } });
    for (const payload of [{}, { emoji: '' }]) {
      const event = only(envelope(messagesChange({ messages: [reaction(payload)] })));
      expect(event).toMatchObject({ type: 'reaction', messageId: 'wamid.target' });
      expect(event.type === 'reaction' && 'emoji' in event).toBe(false);
    }
  });

  it('marks a plain audio file (no voice flag) as voice: false, and keeps video and sticker media', () => {
    const media = (type: string, payload: object) => ({ from: '573001234567', id: `wamid.${type}`, timestamp: '1', type, [type]: { id: '1', mime_type: 'x/y', ...payload } });
    const { events } = normalizeWebhook(
      envelope(messagesChange({ messages: [media('audio', {}), media('video', { caption: 'mira' }), media('sticker', { animated: true })] })),
    );
    expect(events.map((e) => ('media' in e ? [e.type, e.media] : null))).toEqual([
      ['audio', { id: '1', mimeType: 'x/y', voice: false }],
      ['video', { id: '1', mimeType: 'x/y', caption: 'mira' }],
      ['sticker', { id: '1', mimeType: 'x/y', animated: true }],
    ]);
  });

  it('takes the sender from value.contacts when a message has no "from"', () => {
    const event = only(
      envelope(messagesChange({ contacts: [{ profile: { name: 'Camila' }, wa_id: '573001234567' }], messages: [{ id: 'wamid.n', timestamp: '1', type: 'text', text: { body: 'hola' } }] })),
    );
    expect(event).toMatchObject({ waId: '573001234567', profileName: 'Camila' });
  });

  it('skips, and reports, a message whose sender cannot be determined', () => {
    const result = normalizeWebhook(envelope(messagesChange({ messages: [{ id: 'wamid.n', timestamp: '1', type: 'text', text: { body: 'hola' } }] })));
    expect(result.events).toEqual([]);
    expect(result.skipped).toEqual([{ wamid: 'wamid.n', phoneNumberId: '106540352242922', reason: 'no_sender' }]);
  });

  it('leaves profileName undefined when no contact matches the sender', () => {
    const event = only(envelope(messagesChange({ contacts: [{ wa_id: '570000000000', profile: { name: 'Otro' } }], messages: [textMessage('573001234567', 'w', 'hola')] })));
    expect(event.waId).toBe('573001234567');
    expect(event.profileName).toBeUndefined();
  });

  it('records forwarded messages without inventing a reply context', () => {
    const message = { ...textMessage('573001234567', 'wamid.fw', 'reenviado'), context: { forwarded: true } };
    const event = only(envelope(messagesChange({ messages: [message] })));
    expect(event.forwarded).toBe(true);
    expect(event.context).toBeUndefined();
  });

  it('accepts a numeric timestamp as well as Meta\'s string', () => {
    const event = only(envelope(messagesChange({ messages: [{ ...textMessage('573001234567', 'w', 'hola'), timestamp: 1749417120 }] })));
    expect(event.timestamp).toBe(1749417120);
  });
});

describe('conversationKey', () => {
  it('joins the business phone number id and the user wa_id into the lane id', () => {
    expect(conversationKey('106540352242922', '573001234567')).toBe('106540352242922:573001234567');
  });
});
