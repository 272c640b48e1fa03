/**
 * The simulated phones: who wrote, every chat's messages in order, the 24 h customer service
 * window per user, and each business message's status, which only moves forward
 * (sent → delivered → read), as a phone's ticks do.
 */
import { randomBytes } from 'node:crypto';
import type { SimMessage, SimStatus } from './types.js';

export const WINDOW_MS = 24 * 60 * 60 * 1000;
const RANK: Record<SimStatus, number> = { received: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

interface User {
  waId: string;
  profileName: string;
  /** Meta's timestamp (ms) of the user's latest message: the window runs from it. */
  lastInboundMs: number | undefined;
  /** The billing conversation of the current window (its id is in sent/delivered statuses). */
  conversation: { id: string; expiresAtMs: number } | undefined;
}

/** What the status webhooks of a business message need beyond the message itself. */
export interface OutboundInfo {
  template: boolean;
  bizOpaqueCallbackData?: string;
  conversation: { id: string; expiresAtMs: number };
}

export class PhoneBook {
  private readonly users = new Map<string, User>();
  private readonly chats = new Map<string, SimMessage[]>();
  private readonly byWamid = new Map<string, SimMessage>();
  private readonly outbound = new Map<string, OutboundInfo>();

  constructor(private readonly now: () => number) {}

  /** Creates the user on first contact; a given profile name replaces the old one, as Meta reports the current one. */
  user(waId: string, profileName?: string): User {
    let user = this.users.get(waId);
    if (!user) {
      user = { waId, profileName: profileName ?? `Usuario ${waId.slice(-4)}`, lastInboundMs: undefined, conversation: undefined };
      this.users.set(waId, user);
    } else if (profileName !== undefined) {
      user.profileName = profileName;
    }
    return user;
  }

  list(): { waId: string; profileName: string }[] {
    return [...this.users.values()].map(({ waId, profileName }) => ({ waId, profileName }));
  }

  /** A copy of the chat, oldest first. */
  chat(waId: string): SimMessage[] {
    return (this.chats.get(waId) ?? []).map((m) => ({ ...m }));
  }

  /** The live chat, for building replies against what was shown. */
  history(waId: string): readonly SimMessage[] {
    return this.chats.get(waId) ?? [];
  }

  find(wamid: string): SimMessage | undefined {
    return this.byWamid.get(wamid);
  }

  info(wamid: string): OutboundInfo | undefined {
    return this.outbound.get(wamid);
  }

  /** Whether a free-form message may go to `waId` now: the user wrote within the last 24 h. */
  windowOpen(waId: string): boolean {
    const last = this.users.get(waId)?.lastInboundMs;
    return last !== undefined && this.now() - last < WINDOW_MS;
  }

  recordInbound(message: SimMessage, atMs: number): void {
    const user = this.user(message.waId);
    user.lastInboundMs = Math.max(user.lastInboundMs ?? 0, atMs);
    this.append(message);
  }

  recordOutbound(message: SimMessage, info: Omit<OutboundInfo, 'conversation'>): OutboundInfo {
    const user = this.user(message.waId);
    const nowMs = this.now();
    // One billing conversation per 24 h, opened by the first business message after the last one expired.
    if (!user.conversation || user.conversation.expiresAtMs <= nowMs) {
      user.conversation = { id: randomBytes(16).toString('hex'), expiresAtMs: nowMs + WINDOW_MS };
    }
    const full: OutboundInfo = { ...info, conversation: user.conversation };
    this.outbound.set(message.wamid, full);
    this.append(message);
    return full;
  }

  /** Moves a message's status forward; false (and nothing changes) for a step back or sideways. */
  advance(wamid: string, status: SimStatus): boolean {
    const message = this.byWamid.get(wamid);
    if (!message || RANK[status] <= RANK[message.status] || message.status === 'failed') return false;
    message.status = status;
    return true;
  }

  /** The user's business messages that reached the phone but were not read yet. */
  deliveredUnread(waId: string): SimMessage[] {
    return (this.chats.get(waId) ?? []).filter((m) => m.direction === 'out' && m.status === 'delivered');
  }

  private append(message: SimMessage): void {
    const chat = this.chats.get(message.waId) ?? [];
    chat.push(message);
    this.chats.set(message.waId, chat);
    this.byWamid.set(message.wamid, message);
  }
}
