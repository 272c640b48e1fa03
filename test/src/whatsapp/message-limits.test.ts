import { describe, expect, it } from 'vitest';
import { MessageLimitError, WHATSAPP_LIMITS, charLength } from '../../../src/whatsapp/limits.js';
import { buttonsMessage, listMessage, mediaMessage, templateMessage, textMessage } from '../../../src/whatsapp/messages.js';
import type { ListMessageInput } from '../../../src/whatsapp/messages.js';

const TO = '573001234567';
const x = (n: number) => 'x'.repeat(n);

/** Runs a builder and returns the MessageLimitError it must throw. */
function limitError(build: () => unknown): MessageLimitError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(MessageLimitError);
    return error as MessageLimitError;
  }
  throw new Error('builder accepted a message over the limit');
}

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `B${i}` }));
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
const list = (patch: Partial<ListMessageInput>) => () =>
  listMessage(TO, { body: 'b', button: 'Ver', sections: [{ title: 'S', rows: rows(1) }], ...patch });

describe('charLength', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(charLength('👟')).toBe(1);
    expect('👟'.length).toBe(2);
  });
});

describe('text and media limits', () => {
  it('accepts a text body of exactly 4096 characters (emoji counted once) and rejects 4097', () => {
    expect(() => textMessage(TO, '👍'.repeat(4096))).not.toThrow();
    expect(limitError(() => textMessage(TO, x(4097)))).toMatchObject({ field: 'body', rule: 'max_length', limit: 4096, actual: 4097 });
  });

  it('rejects empty and blank text bodies', () => {
    expect(limitError(() => textMessage(TO, ''))).toMatchObject({ field: 'body', rule: 'required' });
    expect(limitError(() => textMessage(TO, '   '))).toMatchObject({ field: 'body', rule: 'required' });
  });

  it('rejects a recipient that is not a bare wa_id', () => {
    for (const to of ['+573001234567', '57 300 123 4567', '', 'abc']) {
      expect(limitError(() => textMessage(to, 'hola'))).toMatchObject({ field: 'to', rule: 'format' });
    }
  });

  it('rejects a caption over 1024 characters', () => {
    expect(limitError(() => mediaMessage(TO, 'image', { id: '1' }, { caption: x(1025) }))).toMatchObject({ field: 'caption', limit: 1024 });
  });

  it('rejects a caption on audio and a filename on anything but a document', () => {
    expect(limitError(() => mediaMessage(TO, 'audio', { id: '1' }, { caption: 'hola' }))).toMatchObject({ field: 'caption', rule: 'not_allowed' });
    expect(limitError(() => mediaMessage(TO, 'image', { id: '1' }, { filename: 'a.jpg' }))).toMatchObject({ field: 'filename', rule: 'not_allowed' });
  });

  it('rejects a media link that is not an absolute http(s) URL, and an empty media id', () => {
    expect(limitError(() => mediaMessage(TO, 'image', { link: '/relative.jpg' }))).toMatchObject({ field: 'source.link', rule: 'format' });
    expect(limitError(() => mediaMessage(TO, 'image', { link: 'file:///etc/passwd' }))).toMatchObject({ field: 'source.link', rule: 'format' });
    expect(limitError(() => mediaMessage(TO, 'image', { id: '' }))).toMatchObject({ field: 'source.id', rule: 'required' });
  });

  it('rejects an empty replyTo and a bizOpaqueCallbackData over 512 characters', () => {
    expect(limitError(() => textMessage(TO, 'hola', { replyTo: '' }))).toMatchObject({ field: 'replyTo' });
    expect(limitError(() => textMessage(TO, 'hola', { bizOpaqueCallbackData: x(513) }))).toMatchObject({ field: 'bizOpaqueCallbackData', limit: 512 });
  });
});

describe('reply-button limits', () => {
  const base = { body: 'b', buttons: buttons(1) };

  it.each([
    ['body over 1024', { body: x(1025) }, 'body', 1024],
    ['header over 60', { header: x(61) }, 'header', 60],
    ['footer over 60', { footer: x(61) }, 'footer', 60],
    ['button title over 20', { buttons: [{ id: 'a', title: x(21) }] }, 'buttons[0].title', 20],
    ['button id over 256', { buttons: [{ id: x(257), title: 'A' }] }, 'buttons[0].id', 256],
    ['4 buttons', { buttons: buttons(4) }, 'buttons', 3],
    ['no buttons', { buttons: [] }, 'buttons', 1],
  ])('rejects %s', (_name, patch, field, limit) => {
    expect(limitError(() => buttonsMessage(TO, { ...base, ...patch }))).toMatchObject({ field, limit });
  });

  it('accepts a button title of exactly 20 characters', () => {
    expect(() => buttonsMessage(TO, { body: 'b', buttons: [{ id: 'a', title: x(20) }] })).not.toThrow();
  });

  it('rejects duplicate button titles and duplicate button ids', () => {
    const dupTitle = [{ id: 'a', title: 'Sí' }, { id: 'b', title: 'Sí' }];
    expect(limitError(() => buttonsMessage(TO, { body: 'b', buttons: dupTitle }))).toMatchObject({ field: 'buttons[1].title', rule: 'unique' });
    const dupId = [{ id: 'a', title: 'Sí' }, { id: 'a', title: 'No' }];
    expect(limitError(() => buttonsMessage(TO, { body: 'b', buttons: dupId }))).toMatchObject({ field: 'buttons[1].id', rule: 'unique' });
  });

  it('rejects an empty button title', () => {
    expect(limitError(() => buttonsMessage(TO, { body: 'b', buttons: [{ id: 'a', title: '' }] }))).toMatchObject({ field: 'buttons[0].title', rule: 'required' });
  });
});

describe('list limits', () => {
  it.each([
    ['body over 1024', { body: x(1025) }, 'body', 1024],
    ['button label over 20', { button: x(21) }, 'button', 20],
    ['header over 60', { header: x(61) }, 'header', 60],
    ['footer over 60', { footer: x(61) }, 'footer', 60],
    ['11 rows across sections', { sections: [{ title: 'A', rows: rows(6, 'a') }, { title: 'B', rows: rows(5, 'b') }] }, 'sections[].rows', 10],
    ['11 sections', { sections: Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}-`) })) }, 'sections', 10],
    ['section title over 24', { sections: [{ title: x(25), rows: rows(1) }] }, 'sections[0].title', 24],
    ['row title over 24', { sections: [{ title: 'S', rows: [{ id: 'a', title: x(25) }] }] }, 'sections[0].rows[0].title', 24],
    ['row description over 72', { sections: [{ title: 'S', rows: [{ id: 'a', title: 'A', description: x(73) }] }] }, 'sections[0].rows[0].description', 72],
    ['row id over 200', { sections: [{ title: 'S', rows: [{ id: x(201), title: 'A' }] }] }, 'sections[0].rows[0].id', 200],
  ])('rejects %s', (_name, patch, field, limit) => {
    expect(limitError(list(patch))).toMatchObject({ field, limit });
  });

  it('accepts exactly 10 rows spread over sections', () => {
    expect(list({ sections: [{ title: 'A', rows: rows(5, 'a') }, { title: 'B', rows: rows(5, 'b') }] })).not.toThrow();
  });

  it('requires section titles when there is more than one section', () => {
    expect(limitError(list({ sections: [{ title: 'A', rows: rows(1, 'a') }, { rows: rows(1, 'b') }] }))).toMatchObject({
      field: 'sections[1].title',
      rule: 'required',
    });
  });

  it('rejects a row id repeated in another section', () => {
    expect(limitError(list({ sections: [{ title: 'A', rows: rows(1) }, { title: 'B', rows: rows(1) }] }))).toMatchObject({
      field: 'sections[1].rows[0].id',
      rule: 'unique',
    });
  });

  it('rejects a section without rows and a list without sections', () => {
    expect(limitError(list({ sections: [{ title: 'A', rows: rows(1, 'a') }, { title: 'B', rows: [] }] }))).toMatchObject({ field: 'sections[1].rows', rule: 'min_count' });
    expect(limitError(list({ sections: [] }))).toMatchObject({ field: 'sections', rule: 'min_count' });
  });
});

describe('template checks', () => {
  it('rejects an empty template name or language and an empty text parameter', () => {
    expect(limitError(() => templateMessage(TO, { name: '', language: 'es' }))).toMatchObject({ field: 'name' });
    expect(limitError(() => templateMessage(TO, { name: 'n', language: '' }))).toMatchObject({ field: 'language' });
    expect(
      limitError(() => templateMessage(TO, { name: 'n', language: 'es', components: [{ type: 'body', parameters: [{ type: 'text', text: '' }] }] })),
    ).toMatchObject({ field: 'components[0].parameters[0].text', rule: 'required' });
  });
});

describe('WHATSAPP_LIMITS', () => {
  it('exposes Meta\'s numbers for other code (e.g. the bot machine lint)', () => {
    expect(WHATSAPP_LIMITS).toMatchObject({ buttonTitle: 20, rowTitle: 24, listRowsTotal: 10, textBody: 4096, interactiveBody: 1024 });
  });
});
