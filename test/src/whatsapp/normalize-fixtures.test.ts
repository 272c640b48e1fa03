import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import type { InboundEvent, StatusEvent } from '../../../src/whatsapp/webhook-events.js';
import { fixtureJson, listFixtures } from '../../helpers/fixtures.js';

const PHONE_NUMBER_ID = '118724605391736';
const DISPLAY = '573186004400';
const USER = '573154286019';

const base = (wamid: string, timestamp: number) => ({
  wamid,
  phoneNumberId: PHONE_NUMBER_ID,
  displayPhoneNumber: DISPLAY,
  waId: USER,
  profileName: 'Valentina Ocampo',
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

describe('normalizeWebhook on the repository\'s fixtures (test/fixtures/whatsapp)', () => {
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
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggQ0Q3MUY0OEY4MjgyM0EzMTcyQ0Y2ODFCNENGQjRFMEUA', 1758049643),
      type: 'text',
      text: 'Buenas tardes 🙏 ¿Tienen cobertura de fibra óptica en Envigado?',
    });
  });

  it('turns a reply-button tap into button_reply with the reply id and the tapped message as context', () => {
    expect(singleEvent('inbound-button-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggMkQ4RDk3OTZBQTQwMTg2RTM5NkM1MjNFM0Q0MjM1QUMA', 1758049935),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSODIwNTJCOENGMzg5MUE3MzQ4AA==' },
      type: 'button_reply',
      replyId: 'v1:confirm.no',
      title: 'No, sigue igual',
    });
  });

  it('turns a list pick into list_reply with id, title and description', () => {
    expect(singleEvent('inbound-list-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggOTVFN0VBQUFEMkM5NzQwMURCMUQyNDI4RTI3OTQ2RUIA', 1758049731),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSMEY1NzE3QkJBNzNDNDE1RjEyAA==' },
      type: 'list_reply',
      replyId: 'v1:plan.hogar-600',
      title: 'Hogar 600 Mbps',
      description: '$109.900 al mes – incluye repetidor wifi',
    });
  });

  it('turns a template quick-reply tap (type "button") into quick_reply with payload and text', () => {
    expect(singleEvent('inbound-template-quick-reply.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggQjlEMEU0ODQ2RENFNDA0MzFGQUJCNzFBQUUyQjQyMEIA', 1758050402),
      context: { from: DISPLAY, id: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSNjgwMkMxNkRCM0MxQjgzRTgzAA==' },
      type: 'quick_reply',
      payload: 'menu.account',
      text: 'Ver mi factura',
    });
  });

  it('keeps an image\'s media id, MIME type, sha256, caption and url', () => {
    const event = singleEvent('inbound-image.json');
    expect(event).toMatchObject({ ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhgUNDY2RTg4MEI5NkU3QzE3QjdGRTcA', 1758049868), type: 'image' });
    expect(event.type === 'image' && event.media).toEqual({
      id: '1294806137725519',
      mimeType: 'image/jpeg',
      sha256: 'YQXWzHavQAMl6U1YjOURvlv9u3O0N9xR7KQ5F9ekPj0=',
      caption: 'Así están las luces del módem, la de LOS está en rojo',
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1294806137725519&source=webhook&ext=1758050168&hash=AR8bzv-UAMI_ofbdBdYyTJsYeJLScOte8kgY1e8gfec1o',
    });
  });

  it('keeps a document\'s filename and caption', () => {
    const event = singleEvent('inbound-document.json');
    expect(event.type).toBe('document');
    expect(event.type === 'document' && event.media).toMatchObject({
      id: '887312569904417',
      mimeType: 'application/pdf',
      filename: 'comprobante-pago-sep-2025.pdf',
      caption: 'Comprobante del pago de septiembre',
    });
  });

  it('flags a voice note as voice audio without inventing a caption', () => {
    const event = singleEvent('inbound-audio.json');
    expect(event.type).toBe('audio');
    if (event.type !== 'audio') return;
    expect(event.media).toMatchObject({ id: '3120458876621935', mimeType: 'audio/ogg; codecs=opus', voice: true });
    expect(event.media.caption).toBeUndefined();
  });

  it('keeps a location as numbers with its optional name, address and url', () => {
    expect(singleEvent('inbound-location.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhgUNTI5MjIyNjBCOTMxODM1QkUzQzEA', 1758050233),
      type: 'location',
      latitude: 6.1701486,
      longitude: -75.5869073,
      name: 'Parque Principal de Envigado',
      address: 'Cl. 38 Sur #43-30, Envigado, Antioquia',
      url: 'https://foursquare.com/v/309b792bd2ffa234d0539c9f',
    });
  });

  it('returns the shared contact cards, not the sender profile', () => {
    const event = singleEvent('inbound-contacts.json');
    expect(event.waId).toBe(USER);
    expect(event.type).toBe('contacts');
    if (event.type !== 'contacts') return;
    expect(event.contacts).toEqual([
      {
        name: { formattedName: 'Luisa Fernanda Cárdenas', firstName: 'Luisa Fernanda', lastName: 'Cárdenas' },
        phones: [
          { phone: '+57 312 448 9021', waId: '573124489021', type: 'CELL' },
          { phone: '+57 604 448 7710', type: 'WORK' },
        ],
        emails: [{ email: 'luisa.cardenas@example.org', type: 'HOME' }],
        urls: [{ url: 'https://www.example.org/panaderia', type: 'WORK' }],
        addresses: [
          {
            street: 'Cra. 43A #36 Sur-17',
            city: 'Envigado',
            state: 'Antioquia',
            zip: '055422',
            country: 'Colombia',
            countryCode: 'CO',
            type: 'HOME',
          },
        ],
        org: { company: 'Panadería La Magnolia S.A.S.', department: 'Administración', title: 'Administradora' },
        birthday: '1987-11-03',
      },
    ]);
  });

  it('turns a reaction into the reacted-to wamid and the emoji', () => {
    expect(singleEvent('inbound-reaction.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggOUVCRUIyMEVBOTY4NkYzM0U2RThCMTM4RDQ4RDRBQTYA', 1758050350),
      type: 'reaction',
      messageId: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSNjY0QTJGODdBMDFBNjc5NkQ3AA==',
      emoji: '🙌',
    });
  });

  it('turns Meta\'s unsupported message into unsupported with the inner type and Meta\'s error', () => {
    expect(singleEvent('inbound-unsupported.json')).toEqual({
      ...base('wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggQjc4MTI1NzJFRTUwNzQ0MjQ0OENCRTk3NzJEMzU4OTQA', 1758050459),
      type: 'unsupported',
      originalType: 'edit',
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
      ['status-sent.json', 'sent', 1758049650],
      ['status-delivered.json', 'delivered', 1758049651],
    ] as const) {
      expect(singleStatus(name)).toEqual({
        wamid: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSNjY0QTJGODdBMDFBNjc5NkQ3AA==',
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
    expect(status).toMatchObject({ status: 'read', timestamp: 1758049702, recipientId: USER, errors: [] });
    expect(status.pricing).toBeUndefined();
  });

  it('keeps the error code, title, message and details of a failed status', () => {
    expect(singleStatus('status-failed-131047.json')).toEqual({
      wamid: 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAERgSMUE1QTI2ODBFRjE0RTBCMzg5AA==',
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY,
      recipientId: USER,
      status: 'failed',
      timestamp: 1758139861,
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
