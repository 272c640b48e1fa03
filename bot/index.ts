/** The bot's public surface for the composition root and the lane adapter. */
export { createBot, type Bot, type BotDeps } from './runner.js';
export { botMachine, MACHINE_VERSION, STATE_NAMES, type StateName } from './machine.js';
export { step, type StepContext, type StepResult } from './step.js';
export { classifyInput, type BotEvent, type BotInput, type MediaType } from './events.js';
export type { BotMessage, BotButton, BotListRow, BotListSection, Effect, HandoverCategory, HandoverPriority, HandoverReason, PlanChoice } from './effects.js';
export type { BotConversation, HandoverPort, HandoverRequest, LeadInput, LeadSink } from './ports.js';
export type { Customer, Snapshot } from './snapshot.js';
export { createSessionStore, type SessionStore, type SessionStoreOptions } from './session-store.js';
export { createAuthLock, type AuthLock, type AuthLockOptions } from './auth-lock.js';
export { createCustomerLookup, type CustomerLookup, type CustomerLookupOptions, type LookupResult } from './customer-lookup.js';
export { loadPlansCatalog, type Plan, type PlansCatalog } from './plans.js';
export { decodeReplyId, encodeReplyId } from './reply-ids.js';
export { findLimitViolations, META_LIMITS } from './message-limits.js';
