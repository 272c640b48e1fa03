// What a WhatsApp message shows on the phone: the user's (a webhook `messages[]` item) and the
// business's (a Graph API send request), as plain data, and the media placeholders (nothing is
// fetched: the playground works offline).
import { el, hostOf, ICONS, svg } from './dom.js';

export function contentOfInbound(body) {
  // What the user sent: the webhook's messages[] item.
  const b = body ?? {};
  switch (b.type) {
    case 'text':
      return { text: b.text?.body ?? '' };
    case 'interactive':
      return { text: b.interactive?.button_reply?.title ?? b.interactive?.list_reply?.title ?? '' };
    case 'button':
      return { text: b.button?.text ?? '' };
    case 'image':
      return { photo: true, text: b.image?.caption ?? '' };
    case 'document':
      return { doc: { name: b.document?.filename ?? 'documento.pdf', sub: 'PDF · documento simulado' }, text: b.document?.caption ?? '' };
    case 'audio':
      return { voice: true };
    case 'location': {
      const loc = b.location ?? {};
      return { map: true, header: loc.name ?? '📍 Ubicación', text: loc.address ?? '', footer: `${loc.latitude ?? ''}, ${loc.longitude ?? ''}` };
    }
    default:
      return { text: `[${b.type ?? 'mensaje'}]` };
  }
}

export function contentOfOutbound(body, rendered) {
  // What the business sent: the Graph API send request body (and, for a template, the simulator's
  // rendering of it: the template's text with the parameters filled in).
  const b = body ?? {};
  switch (b.type) {
    case 'text':
      return { text: b.text?.body ?? '' };
    case 'interactive': {
      const i = b.interactive ?? {};
      const content = { header: i.header?.text, text: i.body?.text ?? '', footer: i.footer?.text };
      if (i.type === 'button') content.buttons = (i.action?.buttons ?? []).map((btn) => btn.reply ?? {}).filter((r) => r.id);
      if (i.type === 'list') content.list = { button: i.action?.button ?? 'Ver opciones', sections: i.action?.sections ?? [] };
      return content;
    }
    case 'image':
      return { photo: true, photoLink: b.image?.link, text: b.image?.caption ?? '' };
    case 'document': {
      const link = b.document?.link ?? '';
      const name = b.document?.filename ?? (link.split('/').pop() || 'documento');
      return { doc: { name, sub: link ? hostOf(link) : 'documento' }, text: b.document?.caption ?? '' };
    }
    case 'audio':
      return { voice: true };
    case 'template':
      return rendered ? contentOfTemplate(rendered) : { text: `📋 Plantilla «${b.template?.name ?? ''}»` };
    default:
      return { text: `[${b.type ?? 'mensaje'}]` };
  }
}

function contentOfTemplate(r) {
  const content = { header: r.header ?? undefined, text: r.body ?? '', footer: r.footer ?? undefined };
  if (r.headerFormat === 'IMAGE' || r.headerFormat === 'VIDEO') Object.assign(content, { photo: true, photoLink: r.headerLink ?? undefined });
  if (r.headerFormat === 'DOCUMENT') {
    const link = r.headerLink ?? '';
    content.doc = { name: link.split('/').pop() || 'documento', sub: link ? hostOf(link) : 'documento' };
  }
  // Quick replies the send gave a payload: a tap answers with it, as on a phone.
  const buttons = (r.buttons ?? []).filter((btn) => btn.payload).map((btn) => ({ id: btn.payload, title: btn.text }));
  if (buttons.length) content.buttons = buttons;
  return content;
}

export function previewOf(message) {
  if (!message) return 'Mensaje';
  const content = message.direction === 'in' ? contentOfInbound(message.body) : contentOfOutbound(message.body, message.rendered);
  if (content.text) return content.text.replace(/[*_~`]/g, '');
  if (content.photo) return '📷 Foto';
  if (content.doc) return `📄 ${content.doc.name}`;
  if (content.voice) return '🎤 Nota de voz';
  if (content.map) return '📍 Ubicación';
  return 'Mensaje';
}

export function mediaNodes(content) {
  const nodes = [];
  if (content.photo) nodes.push(el('div', { class: 'photo', 'aria-label': 'Foto simulada' }, el('small', { text: content.photoLink ? hostOf(content.photoLink) : '📷 Foto' })));
  if (content.map) nodes.push(el('div', { class: 'map', 'aria-label': 'Mapa simulado' }));
  if (content.doc) {
    nodes.push(
      el(
        'div',
        { class: 'media media-doc' },
        el('span', { class: 'media-icon' }, svg('0 0 24 24', ICONS.doc)),
        el('span', { class: 'media-body' }, el('strong', { text: content.doc.name }), el('small', { text: content.doc.sub })),
      ),
    );
  }
  if (content.voice) {
    const bars = [6, 12, 18, 10, 22, 14, 8, 16, 24, 12, 6, 14, 20, 10, 16, 8, 12, 18, 6, 10, 14, 8];
    nodes.push(
      el(
        'div',
        { class: 'voice' },
        el('span', { class: 'voice-play' }, svg('0 0 24 24', ICONS.play)),
        el('span', { class: 'voice-wave' }, bars.map((h) => el('i', { style: `height:${h}px` }))),
        el('span', { class: 'voice-avatar', text: '🙂' }),
      ),
    );
  }
  return nodes;
}
