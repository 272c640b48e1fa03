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

const TO = '573154286019';

describe('outbound builders produce exactly Meta\'s request bodies', () => {
  it('textMessage matches send-text-request.json (preview_url defaults to false)', () => {
    const body = '¡Hola, Valentina! Sí, tenemos fibra óptica en Envigado. ¿Te comparto los planes disponibles para tu dirección?';
    expect(textMessage(TO, body)).toStrictEqual(fixtureJson('send-text-request.json'));
  });

  it('buttonsMessage matches send-interactive-buttons-request.json', () => {
    const message = buttonsMessage(TO, {
      header: 'Soporte técnico',
      body: 'Desconecta el módem 30 segundos y vuelve a conectarlo. Cuando las luces se estabilicen, cuéntame: ¿se solucionó?',
      footer: 'Atención al cliente',
      buttons: [
        { id: 'v1:confirm.yes', title: 'Sí, se solucionó' },
        { id: 'v1:confirm.no', title: 'No, sigue igual' },
        { id: 'v1:menu.agent', title: 'Hablar con asesor' },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-interactive-buttons-request.json'));
  });

  it('listMessage matches send-interactive-list-request.json', () => {
    const message = listMessage(TO, {
      header: 'Planes hogar',
      body: 'Estos son los planes disponibles en tu zona. ¿Cuál te interesa?',
      footer: 'Precios con IVA incluido',
      button: 'Ver planes',
      sections: [
        {
          title: 'Fibra óptica',
          rows: [
            { id: 'v1:plan.hogar-300', title: 'Hogar 300 Mbps', description: '$89.900 al mes – instalación gratis' },
            { id: 'v1:plan.hogar-600', title: 'Hogar 600 Mbps', description: '$109.900 al mes – incluye repetidor wifi' },
          ],
        },
        { title: 'Internet + TV', rows: [{ id: 'v1:plan.combo-tv', title: 'Combo 300 Mbps + TV', description: '$139.900 al mes – 80 canales HD' }] },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-interactive-list-request.json'));
  });

  it('templateMessage matches send-template-request.json, turning numeric button indexes into strings', () => {
    const message = templateMessage(TO, {
      name: 'recordatorio_pago',
      language: 'es',
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'septiembre' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Valentina' },
            { type: 'text', text: '$89.900' },
            { type: 'text', text: '25 de septiembre' },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'menu.account' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'menu.agent' }] },
      ],
    });
    expect(message).toStrictEqual(fixtureJson('send-template-request.json'));
  });

  it('mediaMessage matches send-image-link-request.json', () => {
    const message = mediaMessage(TO, 'image', { link: 'https://www.example.com/soporte/luces-modem-fibra.jpg' }, { caption: 'Así deben verse las luces del módem 💡' });
    expect(message).toStrictEqual(fixtureJson('send-image-link-request.json'));
  });

  it('mediaMessage matches send-document-link-request.json', () => {
    const message = mediaMessage(
      TO,
      'document',
      { link: 'https://www.example.com/facturas/FE-2025-09-118472.pdf' },
      { caption: 'Tu factura de septiembre 🧾', filename: 'factura-septiembre-2025.pdf' },
    );
    expect(message).toStrictEqual(fixtureJson('send-document-link-request.json'));
  });

  it('markReadMessage with typing matches mark-read-request.json', () => {
    const wamid = 'wamid.HBgMNTczMTU0Mjg2MDE5FQIAEhggQ0Q3MUY0OEY4MjgyM0EzMTcyQ0Y2ODFCNENGQjRFMEUA';
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
    expect(mediaMessage(TO, 'audio', { id: '3120458876621935' })).toStrictEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'audio',
      audio: { id: '3120458876621935' },
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
