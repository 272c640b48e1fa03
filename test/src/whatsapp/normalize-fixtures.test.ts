import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import type { InboundEvent, StatusEvent } from '../../../src/whatsapp/webhook-events.js';
import { fixtureJson, listFixtures } from '../../helpers/fixtures.js';

const PHONE_NUMBER_ID = '106540352242922';
const DISPLAY = '15550783881';
const USER = '573001234567';

const base = (wamid: string, timestamp: number) => ({
  wamid,
  phoneNumberId: PHONE_NUMBER_ID,
  displayPhoneNumber: DISPLAY,
  waId: USER,
  profileName: 'Camila Restrepo',
  timestamp,
});

/** Normalizes a fixture that must hold exactly one inbound message. */
function singleEvent(name: string): InboundEvent {
  const result = normalizeWebhook(fixtureJson(name));
  expect(result.statuses).toEqual([]);
  expect(result.errors).toEqual([]);
  expect(result.ignoredFields).toEqual([]);
  expect(result.events).toHaveLength(1);
  return result.events[0] as InboundEvent;
}

/** Normalizes a fixture that must hold exactly one status. */
function singleStatus(name: string): StatusEvent {
  const result = normalizeWebhook(fixtureJson(name));
  expect(result.events).toEqual([]);
  expect(result.statuses).toHaveLength(1);
  return result.statuses[0] as StatusEvent;
}

describe('normalizeWebhook on the shared fixtures', () => {
  it('turns every inbound-*, status-* and batched-* fixture into events or statuses, skipping nothing', () => {
    const webhooks = listFixtures().filter((n) => /^(inbound|status|batched)-/.test(n));
    expect(webhooks).toHaveLength(16);
    for (const name of webhooks) {
      const result = normalizeWebhook(fixtureJson(name));
      expect(result.events.length + result.statuses.length, name).toBeGreaterThan(0);
      expect(result.skipped, name).toEqual([]);
    }
  });

  it('turns a text message into a text event with sender, profile name and numeric timestamp', () => {
    expect(singleEvent('inbound-text.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA', 1749416383),
      type: 'text',
      text: 'Hola, ¿tienen envíos a Medellín?',
    });
  });

  it('turns a reply-button tap into button_reply with the reply id and the tapped message as context', () => {
    expect(singleEvent('inbound-button-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E4QzFFNTJCMEQ5NEY3QTZDMjEA', 1749416450),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQTFCMkMzRDRFNUY2QTdCOEM5AA==' },
      type: 'button_reply',
      replyId: 'confirm-order',
      title: 'Confirmar',
    });
  });

  it('turns a list pick into list_reply with id, title and description', () => {
    expect(singleEvent('inbound-list-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0EwRjZCMkQ3QzFFNDhBOUIzRDUA', 1749416512),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQjJDM0Q0RTVGNkE3QjhDOUQwAA==' },
      type: 'list_reply',
      replyId: 'priority_express',
      title: 'Priority Mail Express',
      description: 'Next Day to 2 Days',
    });
  });

  it('turns a template quick-reply tap (type "button") into quick_reply with payload and text', () => {
    expect(singleEvent('inbound-template-quick-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0FEMjdFOTBDNEIxQTM1RjhFNjAA', 1749416600),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQzNENEU1RjZBN0I4QzlEMEUxAA==' },
      type: 'quick_reply',
      payload: 'STOP_PROMOTIONS',
      text: 'Stop promotions',
    });
  });

  it('keeps an image\'s media id, MIME type, sha256, caption and url', () => {
    const event = singleEvent('inbound-image.json');
    expect(event).toMatchObject({ ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E1QzBEMUUyRjNBNEI1QzZEN0UA', 1749416700), type: 'image' });
    expect(event.type === 'image' && event.media).toEqual({
      id: '1003383421387256',
      mimeType: 'image/jpeg',
      sha256: '4S8uA0rLdVRV8wL7x2cNRd1uC3kN2rKq8cBx9Zb2N8s=',
      caption: 'Foto del producto dañado',
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&source=webhook&ext=1749417000&hash=ARlNpn_Zx1m7Wm3o0cdq7zKqJt4yjKwE8Kf2NwH9YrT0Fg',
    });
  });

  it('keeps a document\'s filename and caption', () => {
    const event = singleEvent('inbound-document.json');
    expect(event.type).toBe('document');
    expect(event.type === 'document' && event.media).toMatchObject({
      id: '1240357094331432',
      mimeType: 'application/pdf',
      filename: 'factura-2025-03.pdf',
      caption: 'Factura de marzo',
    });
  });

  it('flags a voice note as voice audio without inventing a caption', () => {
    const event = singleEvent('inbound-audio.json');
    expect(event.type).toBe('audio');
    if (event.type !== 'audio') return;
    expect(event.media).toMatchObject({ id: '1908647269898587', mimeType: 'audio/ogg; codecs=opus', voice: true });
    expect(event.media.caption).toBeUndefined();
  });

  it('keeps a location as numbers with its optional name, address and url', () => {
    expect(singleEvent('inbound-location.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E4RjNBNEI1QzZEN0U4RjkwQTEA', 1749416880),
      type: 'location',
      latitude: 6.2088716,
      longitude: -75.5672435,
      name: 'Centro Comercial San Fernando Plaza',
      address: 'Cra. 43A #1-50, El Poblado, Medellín, Antioquia',
      url: 'https://foursquare.com/v/4b5a9a4bf964a520a3cd28e3',
    });
  });

  it('returns the shared contact cards, not the sender profile', () => {
    const event = singleEvent('inbound-contacts.json');
    expect(event.waId).toBe(USER);
    expect(event.type).toBe('contacts');
    if (event.type !== 'contacts') return;
    expect(event.contacts).toEqual([
      {
        name: { formattedName: 'Andrés Gómez', firstName: 'Andrés', lastName: 'Gómez' },
        phones: [
          { phone: '+57 310 555 0101', waId: '573105550101', type: 'CELL' },
          { phone: '+57 601 555 0199', type: 'WORK' },
        ],
        emails: [{ email: 'andres.gomez@example.com', type: 'WORK' }],
        urls: [{ url: 'https://www.example.com', type: 'WORK' }],
        addresses: [
          {
            street: 'Calle 93 #11-26',
            city: 'Bogotá',
            state: 'Cundinamarca',
            zip: '110221',
            country: 'Colombia',
            countryCode: 'CO',
            type: 'WORK',
          },
        ],
        org: { company: 'Ejemplo S.A.S.', department: 'Compras', title: 'Jefe de compras' },
        birthday: '1990-04-12',
      },
    ]);
  });

  it('turns a reaction into the reacted-to wamid and the emoji', () => {
    expect(singleEvent('inbound-reaction.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0FBMTNBNEI1QzZEN0U4RjkwQzMA', 1749417000),
      type: 'reaction',
      messageId: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRDRFNUY2QTdCOEM5RDBFMUYyAA==',
      emoji: '👍',
    });
  });

  it('turns Meta\'s unsupported message into unsupported with the inner type and Meta\'s error', () => {
    expect(singleEvent('inbound-unsupported.json')).toEqual({
      ...base('wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0FCMjNBNEI1QzZEN0U4RjkwRDQA', 1749417060),
      type: 'unsupported',
      originalType: 'poll_creation',
      reason: 'meta_unsupported',
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          details: 'Message type is currently not supported.',
        },
      ],
    });
  });

  it('turns sent and delivered statuses into status events with PMP pricing', () => {
    for (const [name, status, timestamp] of [
      ['status-sent.json', 'sent', 1749417200],
      ['status-delivered.json', 'delivered', 1749417202],
    ] as const) {
      expect(singleStatus(name)).toEqual({
        wamid: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRTVGNkE3QjhDOUQwRTFGMkEzAA==',
        phoneNumberId: PHONE_NUMBER_ID,
        displayPhoneNumber: DISPLAY,
        recipientId: USER,
        status,
        timestamp,
        errors: [],
        pricing: { billable: false, pricingModel: 'PMP', type: 'free_customer_service', category: 'service' },
      });
    }
  });

  it('turns a read status into a status event without pricing', () => {
    const status = singleStatus('status-read.json');
    expect(status).toMatchObject({ status: 'read', timestamp: 1749417260, recipientId: USER, errors: [] });
    expect(status.pricing).toBeUndefined();
  });

  it('keeps the error code, title, message and details of a failed status', () => {
    expect(singleStatus('status-failed-131047.json')).toEqual({
      wamid: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSRjZBN0I4QzlEMEUxRjJBM0I0AA==',
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY,
      recipientId: USER,
      status: 'failed',
      timestamp: 1749503700,
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    });
  });
});
