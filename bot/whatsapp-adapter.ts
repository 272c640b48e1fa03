import { buttonsMessage, listMessage, textMessage } from '../src/whatsapp/messages.js';
import type { OutboundMessage } from '../src/whatsapp/outbound-types.js';
import type { InboundEvent } from '../src/whatsapp/webhook-events.js';
import type { Responder } from '../src/conversations/ports.js';
import type { Bot } from './runner.js';
import type { BotMessage } from './effects.js';
import type { BotInput } from './events.js';

/** What the bot reads from a WhatsApp message: text, the id of a tapped option, or only its kind. */
export function toBotInput(event: InboundEvent): BotInput {
  switch (event.type) {
    case 'text':
      return { kind: 'text', text: event.text };
    case 'button_reply':
    case 'list_reply':
      return { kind: 'reply', id: event.replyId, title: event.title };
    case 'quick_reply':
      return { kind: 'reply', id: event.payload, title: event.text };
    default:
      return { kind: 'media', mediaType: event.type };
  }
}

/** Renders a bot message with the limit-enforcing Graph builders. */
export function toOutboundMessage(to: string, message: BotMessage): OutboundMessage {
  switch (message.kind) {
    case 'text':
      return textMessage(to, message.body);
    case 'buttons':
      return buttonsMessage(to, { body: message.body, buttons: message.buttons, header: message.header, footer: message.footer });
    case 'list':
      return listMessage(to, { body: message.body, button: message.button, sections: message.sections, header: message.header, footer: message.footer });
  }
}

/**
 * The bot as the conversation pipeline's responder: reads the WhatsApp message as bot input and
 * renders its answer with the Graph builders. The message's wamid is the turn's id, so a message
 * processed again cannot be answered twice. A turn that ended the session ("salir") is reported
 * as the end of the conversation.
 */
export function createResponder(bot: Pick<Bot, 'handle'>): Responder {
  return {
    async respond(conversation, event, send) {
      let ended = false;
      await bot.handle(conversation, toBotInput(event), event.wamid, (messages, turn) => {
        ended = turn?.ended === true;
        return send(messages.map((m) => toOutboundMessage(event.waId, m)));
      });
      return { ended };
    },
  };
}
