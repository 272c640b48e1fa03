import { describe, expect, it } from 'vitest';
import {
  buttonsMessage,
  describeOutbound,
  listMessage,
  markReadMessage,
  mediaMessage,
  templateMessage,
  textMessage,
} from '../../../src/whatsapp/messages.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const TO = '573001234567';

describe('outbound builders produce exactly Meta\'s request bodies', () => {
  it('textMessage matches send-text-request.json (preview_url defaults to false)', () => {
    const body = '¡Hola Camila! Sí, enviamos a Medellín. El envío tarda 2 a 3 días hábiles.';
    expect(textMessage(TO, body)).toStrictEqual(fixtureJson('send-text-request.json'));
  });

  it('buttonsMessage matches send-interactive-buttons-request.json', () => {
    const message = buttonsMessage(TO, {
      header: 'Pedido #48213',
      body: 'Tu pedido está listo para despacho. ¿Confirmas la dirección de entrega?',
      footer: 'Tienda Ejemplo',
      buttons: [
        { id: 'confirm-order', title: 'Confirmar' },
        { id: 'change-address', title: 'Cambiar dirección' },
        { id: 'talk-to-agent', title: 'Hablar con asesor' },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-interactive-buttons-request.json'));
  });

  it('listMessage matches send-interactive-list-request.json', () => {
    const message = listMessage(TO, {
      header: 'Opciones de envío',
      body: '¿Qué opción de envío prefieres?',
      footer: 'Tienda Ejemplo',
      button: 'Ver opciones',
      sections: [
        {
          title: 'Envío nacional',
          rows: [
            { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' },
            { id: 'priority_mail', title: 'Priority Mail', description: '1–3 Days' },
          ],
        },
        { title: 'Recoger en tienda', rows: [{ id: 'pickup_poblado', title: 'Tienda El Poblado', description: 'Disponible en 2 horas' }] },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-interactive-list-request.json'));
  });

  it('templateMessage matches send-template-request.json, turning numeric button indexes into strings', () => {
    const message = templateMessage(TO, {
      name: 'order_shipped',
      language: 'es',
      components: [
        { type: 'header', parameters: [{ type: 'text', text: '48213' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Camila' },
            { type: 'text', text: '48213' },
            { type: 'text', text: '12 de junio' },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'TRACK_ORDER_48213' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP_PROMOTIONS' }] },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-template-request.json'));
  });

  it('mediaMessage matches send-image-link-request.json', () => {
    const message = mediaMessage(TO, 'image', { link: 'https://www.example.com/assets/catalogo/zapato-azul.jpg' }, { caption: 'Así luce en azul 👟' });
    expect(message).toStrictEqual(fixtureJson('send-image-link-request.json'));
  });

  it('mediaMessage matches send-document-link-request.json', () => {
    const message = mediaMessage(
      TO,
      'document',
      { link: 'https://www.example.com/facturas/factura-48213.pdf' },
      { caption: 'Factura de tu pedido #48213', filename: 'factura-48213.pdf' },
    );
    expect(message).toStrictEqual(fixtureJson('send-document-link-request.json'));
  });

  it('markReadMessage with typing matches mark-read-request.json', () => {
    const wamid = 'wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA';
    expect(markReadMessage(wamid, { typing: true })).toStrictEqual(fixtureJson('mark-read-request.json'));
  });

  it('markReadMessage without typing omits typing_indicator', () => {
    expect(markReadMessage('wamid.x')).toStrictEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.x' });
  });
});

describe('outbound builder options', () => {
  it('replyTo quotes the message through context.message_id', () => {
    expect(textMessage(TO, 'hola', { replyTo: 'wamid.in' }).context).toEqual({ message_id: 'wamid.in' });
    expect(buttonsMessage(TO, { body: 'b', buttons: [{ id: 'a', title: 'A' }], replyTo: 'wamid.in' }).context).toEqual({ message_id: 'wamid.in' });
  });

  it('previewUrl turns on link previews', () => {
    const message = textMessage(TO, 'https://example.com', { previewUrl: true });
    expect(message.type === 'text' && message.text.preview_url).toBe(true);
  });

  it('bizOpaqueCallbackData is sent as biz_opaque_callback_data', () => {
    expect(textMessage(TO, 'hola', { bizOpaqueCallbackData: 'log:42' }).biz_opaque_callback_data).toBe('log:42');
  });

  it('mediaMessage by uploaded id sends { id } and audio carries nothing else', () => {
    expect(mediaMessage(TO, 'audio', { id: '1908647269898587' })).toStrictEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'audio',
      audio: { id: '1908647269898587' },
    });
  });

  it('a single-section list may omit the section title', () => {
    const message = listMessage(TO, { body: 'b', button: 'Ver', sections: [{ rows: [{ id: 'r1', title: 'Uno' }] }] });
    expect(message.type === 'interactive' && message.interactive.type === 'list' && message.interactive.action.sections).toEqual([
      { rows: [{ id: 'r1', title: 'Uno' }] },
    ]);
  });

  it('templateMessage without components sends only name and language', () => {
    expect(templateMessage(TO, { name: 'hello_world', language: 'en_US' })).toMatchObject({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });
});

describe('describeOutbound', () => {
  it('gives the conversation log a short text for each kind of message', () => {
    expect(describeOutbound(textMessage(TO, 'Hola'))).toBe('Hola');
    expect(describeOutbound(buttonsMessage(TO, { body: '¿Confirmas?', buttons: [{ id: 'y', title: 'Sí' }] }))).toBe('[buttons] ¿Confirmas?');
    expect(describeOutbound(listMessage(TO, { body: 'Elige', button: 'Ver', sections: [{ rows: [{ id: 'a', title: 'A' }] }] }))).toBe('[list] Elige');
    expect(describeOutbound(templateMessage(TO, { name: 'order_shipped', language: 'es' }))).toBe('[template] order_shipped');
    expect(describeOutbound(mediaMessage(TO, 'image', { id: '1' }, { caption: 'Foto' }))).toBe('[image] Foto');
    expect(describeOutbound(mediaMessage(TO, 'video', { id: '1' }))).toBe('[video]');
    expect(describeOutbound(mediaMessage(TO, 'audio', { id: '1' }))).toBe('[audio]');
    expect(describeOutbound(mediaMessage(TO, 'document', { id: '1' }, { filename: 'f.pdf' }))).toBe('[document] f.pdf');
  });
});
