import type { Redis } from 'ioredis';
import type { Responder } from '../src/conversations/ports.js';
import type { Config } from '../src/platform/config/index.js';
import type { Logger } from '../src/platform/logging/logger.js';
import type { Module } from '../src/platform/module.js';
import { PUENTE_VERSION } from '../src/platform/version.js';
import { createAuthLock } from './auth-lock.js';
import { createCustomerLookup } from './customer-lookup.js';
import { loadPlansCatalog } from './plans.js';
import type { HandoverPort, LeadSink } from './ports.js';
import { createBot, type Bot } from './runner.js';
import { createSessionStore } from './session-store.js';
import { createResponder } from './whatsapp-adapter.js';

export interface BotModule {
  bot: Bot;
  /** How the conversation pipeline asks the bot to answer a message. */
  responder: Responder;
  /** The bot answers inside the conversation lanes through `responder`: no routes, queues or lane kinds of its own. */
  module: Module;
}

/** The bot: sessions and the auth lock in Redis, the CRM customer lookup, the plans catalog. */
export function createBotModule(deps: { config: Config; redis: Redis; keyPrefix: string; logger: Logger; handover: HandoverPort; leads: LeadSink }): BotModule {
  const { config, redis, keyPrefix, logger } = deps;
  const bot = createBot({
    sessions: createSessionStore({ redis, keyPrefix, ttlSeconds: config.SESSION_TTL_SECONDS }),
    authLock: createAuthLock({ redis, keyPrefix }),
    lookup: createCustomerLookup({
      crmBaseUrl: config.CRM_BASE_URL ?? 'http://crm.invalid',
      botApiToken: config.BOT_API_TOKEN ?? '',
      botSignatureSecret: config.BOT_SIGNATURE_SECRET ?? '',
      userAgent: `Puente/${PUENTE_VERSION}`,
      logger,
    }),
    // Validated at start-up: a broken catalog stops the process instead of a conversation.
    plans: loadPlansCatalog(),
    emergencyPhone: config.EMERGENCY_PHONE,
    handover: deps.handover,
    leads: deps.leads,
    logger,
  });
  return { bot, responder: createResponder(bot), module: { name: 'bot' } };
}
