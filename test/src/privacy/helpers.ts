import { expect } from 'vitest';
import { createApp } from '../../../src/app/http-app.js';
import type { Logger } from '../../../src/platform/logging/logger.js';
import type { Scope } from '../../../src/platform/http/types.js';
import type { TicketStore } from '../../../crm-bridge/ticket-store.js';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

export const ADMIN_KEY = 'test-admin-key-privacy-0123456789abcdefgh';
type Json = Record<string, unknown>;

export interface Org {
  orgId: string;
  /** Calls the app with a key of the organization that has every scope (admin included). */
  call(path: string, method?: string, json?: unknown): Promise<Response>;
  /** The same with a read+write key (no admin scope). */
  callWithoutAdmin(path: string, method?: string, json?: unknown): Promise<Response>;
}

export interface PrivacyHarness {
  deps: TestDeps;
  app: ReturnType<typeof createApp>;
  /** A request with API_ADMIN_KEY (the platform owner). */
  admin(path: string, body: unknown): Promise<Response>;
  /** An organization with its own business number (`phoneNumberIds`) and two keys. */
  org(name: string, numbers: string[]): Promise<Org>;
}

export async function privacyHarness(logger?: Logger): Promise<PrivacyHarness> {
  const deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY }, logger);
  const app = createApp(deps);
  const request = async (key: string, path: string, method: string, json?: unknown): Promise<Response> =>
    app.request(path, { method, headers: { 'x-api-key': key, ...(json === undefined ? {} : { 'content-type': 'application/json' }) }, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
  const admin = (path: string, body: unknown) => request(ADMIN_KEY, path, 'POST', body);
  const keyOf = async (orgId: string, scopes: Scope[]) => ((await (await admin(`/api/v1/admin/orgs/${orgId}/api-keys`, { name: scopes.join('+'), scopes })).json()) as { key: string }).key;
  return {
    deps,
    app,
    admin,
    async org(name, numbers) {
      const orgId = ((await (await admin('/api/v1/admin/orgs', { name })).json()) as { id: string }).id;
      // Numbers are given to organizations in the database (no route does it yet).
      if (numbers.length) await deps.mongo.connection.collection('organizations').updateOne({ _id: orgId } as never, { $set: { phoneNumberIds: numbers } });
      const [full, rw] = await Promise.all([keyOf(orgId, ['read', 'write', 'admin']), keyOf(orgId, ['read', 'write'])]);
      return {
        orgId,
        call: (path, method = 'GET', json) => request(full, path, method, json),
        callWithoutAdmin: (path, method = 'GET', json) => request(rw, path, method, json),
      };
    },
  };
}

export const json = async (res: Response): Promise<Json> => (await res.json()) as Json;

/** Creates through the API: a contact with `phone`, a lead of it with a task and a manual score. Returns their ids. */
export async function contactWithLead(org: Org, phone: string): Promise<{ contactId: string; leadId: string; taskId: string }> {
  const contact = await org.call('/api/v1/contacts', 'POST', { phone, name: 'Ana Gómez', email: `ana.${phone.replace(/\D/g, '')}.${org.orgId}@example.com` });
  expect(contact.status, await contact.clone().text()).toBe(201);
  const contactId = (await json(contact)).id as string;
  const lead = await org.call('/api/v1/leads', 'POST', { contact_id: contactId, source: 'website' });
  expect(lead.status, await lead.clone().text()).toBe(201);
  const leadId = (await json(lead)).id as string;
  const task = await org.call(`/api/v1/leads/${leadId}/tasks`, 'POST', { action: 'Llamar', target_name: 'Ana', target_info: 'Instalación' });
  expect(task.status, await task.clone().text()).toBe(201);
  const score = await org.call(`/api/v1/leads/${leadId}/score`, 'POST', { score_value: 70, reason: 'Interesada' });
  expect(score.status, await score.clone().text()).toBeLessThan(300);
  return { contactId, leadId, taskId: (await json(task)).id as string };
}

/** Opens a handover ticket for `waId` on `number` with the customer's personal fields filled in; closes it at `closedAt` when given. */
export async function ticketFor(tickets: TicketStore, number: string, waId: string, options: { closedAt?: Date; openedAt?: Date } = {}): Promise<string> {
  const openedAt = options.openedAt ?? new Date(Date.now() - 3_600_000);
  const { ticket } = await tickets.open({
    conversationKey: conversationKey(number, waId),
    phoneNumberId: number,
    userPhone: waId,
    customer: { customerId: '1020304050', customerName: 'Ana Gómez', serviceSuspended: false, extra: { address: 'Calle 10 # 43-12, Medellín' } },
    userContext: {
      phoneNumber: waId,
      customerId: '1020304050',
      customerName: 'Ana Gómez',
      isAuthenticated: true,
      lastActivity: openedAt.toISOString(),
      sessionInfo: { hasActiveSession: true, sessionStart: openedAt.toISOString() },
    },
    category: 'soporte_agente',
    priority: 'media',
    now: openedAt,
  });
  if (options.closedAt) await tickets.close(ticket.ticketId, 'agent_resolved', options.closedAt);
  return ticket.ticketId;
}
