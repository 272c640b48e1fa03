import { freshPhone } from '../../../helpers/business-fixtures.js';
import { ADMIN_KEY, harness, type Harness } from '../../contacts/helpers.js';

export type Call = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;

export interface TasksOrg {
  orgId: string;
  /** With a read+write key. */
  call: Call;
  /** With a key of the organization that has only the `read` scope. */
  readOnly: Call;
  /** A new lead of the organization (a contact, then `POST /api/v1/leads`): its id. */
  lead(): Promise<string>;
  /** A new task of `leadId` (201 expected): its JSON. */
  task(leadId: string, fields?: Record<string, unknown>): Promise<TaskJson>;
}

export interface TaskJson {
  id: string;
  lead_id: string;
  status: string;
  action: string;
  target_name: string;
  target_info: string;
  tag: string | null;
  note: string | null;
  order: number;
  created_at: string;
  updated_at: string;
}

export interface TasksHarness extends Harness {
  /** An organization with a read+write key and a read-only one. */
  tasksOrg(name?: string): Promise<TasksOrg>;
  /** A request without any key. */
  anonymous: Call;
}

const caller =
  (app: Harness['app'], key: string | undefined): Call =>
  async (path, init = {}) => {
    const { json, headers, ...rest } = init;
    const h = new Headers(headers);
    if (key) h.set('x-api-key', key);
    if (json !== undefined) h.set('content-type', 'application/json');
    return app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };

/** The contacts harness (the full app over test deps), with what the task tests need. */
export async function tasksHarness(): Promise<TasksHarness> {
  const h = await harness();
  return {
    ...h,
    anonymous: caller(h.app, undefined),
    async tasksOrg(name = 'Acme') {
      const { orgId, call } = await h.org(name);
      const issued = await h.app.request(`/api/v1/admin/orgs/${orgId}/api-keys`, {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'read-only', scopes: ['read'] }),
      });
      const { key } = (await issued.json()) as { key: string };
      return {
        orgId,
        call,
        readOnly: caller(h.app, key),
        async lead() {
          const contact = await call('/api/v1/contacts', { method: 'POST', json: { phone: freshPhone(), name: 'Cliente de prueba' } });
          if (contact.status !== 201) throw new Error(`creating a contact answered ${contact.status}: ${await contact.text()}`);
          const { id: contactId } = (await contact.json()) as { id: string };
          const lead = await call('/api/v1/leads', { method: 'POST', json: { contact_id: contactId, source: 'api' } });
          if (lead.status !== 201) throw new Error(`creating a lead answered ${lead.status}: ${await lead.text()}`);
          return ((await lead.json()) as { id: string }).id;
        },
        async task(leadId, fields = {}) {
          const res = await call(`/api/v1/leads/${leadId}/tasks`, { method: 'POST', json: { action: 'Llamar', target_name: 'Mazda CX-30', target_info: 'Placa ABC123', ...fields } });
          if (res.status !== 201) throw new Error(`creating a task answered ${res.status}: ${await res.text()}`);
          return (await res.json()) as TaskJson;
        },
      };
    },
  };
}
