/**
 * How to make, in one organization, the resource each business API path names, for the shared
 * isolation suite (test/e2e/business-api-isolation.test.ts). Every `/api/v1` path with a
 * parameter must be listed here: the suite fails for one that is not, so a route added later
 * cannot skip the "another organization's id is a 404" check.
 */
export interface BusinessApiClient {
  /** A request to the app with the given organization key. */
  request(method: string, path: string, key: string, body?: unknown): Promise<Response>;
}

export interface PathFixture {
  /** Creates the resource with `key` (its organization owns it) and returns the path's parameters. */
  create(api: BusinessApiClient, key: string): Promise<Record<string, string>>;
  /** A valid body for each method of the path that takes one, so validation cannot answer before ownership does. */
  bodies?: Partial<Record<'POST' | 'PUT' | 'PATCH', unknown>>;
}

let phoneSeq = 0;
/** A Colombian mobile number no other fixture has used in this process. */
export const freshPhone = () => `3${String(100_000_000 + ((process.pid * 7919 + ++phoneSeq) % 899_999_999)).padStart(9, '0')}`;

const idOf = async (res: Response, what: string): Promise<string> => {
  if (res.status !== 201) throw new Error(`creating ${what} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
};

/** A lead of `key`'s organization (a contact, then the lead): its id. */
const createLeadWithContact = async (api: BusinessApiClient, key: string): Promise<string> => {
  const contactId = await idOf(await api.request('POST', '/api/v1/contacts', key, { phone: freshPhone(), name: 'Contacto de prueba' }), 'a contact');
  return idOf(await api.request('POST', '/api/v1/leads', key, { contact_id: contactId, source: 'api' }), 'a lead');
};
const createTaskOfLead = async (api: BusinessApiClient, key: string, leadId: string): Promise<string> =>
  idOf(await api.request('POST', `/api/v1/leads/${leadId}/tasks`, key, { action: 'Llamar', target_name: 'Vehículo de prueba', target_info: 'Placa ABC123' }), 'a task');
/** The task the reorder fixture made last: its body names it, so the body is valid for the lead's owner (another organization gets the lead's 404 first). */
let reorderTaskId = 'tk_none';

export const businessFixtures: Record<string, PathFixture> = {
  '/api/v1/contacts/{id}': {
    create: async (api, key) => ({ id: await idOf(await api.request('POST', '/api/v1/contacts', key, { phone: freshPhone(), name: 'Contacto de prueba' }), 'a contact') }),
    bodies: { PUT: { name: 'Nombre cambiado' } },
  },
  '/api/v1/imports/{id}': {
    create: async (api, key) => ({ id: await idOf(await api.request('POST', '/api/v1/imports', key, { source: 'csv', name: 'Cohorte de prueba' }), 'an import') }),
    bodies: { PUT: { status: 'completed', total_rows: 1 } },
  },
  '/api/v1/leads/{id}': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
    bodies: { PATCH: { qualification_data: { budget_confirmed: true } } },
  },
  '/api/v1/leads/{id}/stage': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
    bodies: { PUT: { stage: 'mql', stage_reason: 'Prueba' } },
  },
  '/api/v1/leads/{id}/assign/{user_id}': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key), user_id: 'rep-1' }),
  },
  '/api/v1/leads/{id}/deal-value': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
    bodies: { PUT: { deal_value: 1000 } },
  },
  '/api/v1/leads/{id}/qualify': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
  },
  '/api/v1/leads/{id}/score': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
    bodies: { POST: { score_value: 80, reason: 'Prueba' } },
  },
  '/api/v1/leads/{id}/scores': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
  },
  '/api/v1/tasks/{id}': {
    create: async (api, key) => ({ id: await createTaskOfLead(api, key, await createLeadWithContact(api, key)) }),
    bodies: { PATCH: { status: 'COMPLETED' } },
  },
  '/api/v1/tasks/{id}/order': {
    create: async (api, key) => ({ id: await createTaskOfLead(api, key, await createLeadWithContact(api, key)) }),
    bodies: { PATCH: { order: 1 } },
  },
  '/api/v1/leads/{id}/tasks': {
    create: async (api, key) => ({ id: await createLeadWithContact(api, key) }),
    bodies: { POST: { action: 'Llamar', target_name: 'Vehículo de prueba', target_info: 'Placa ABC123' } },
  },
  '/api/v1/leads/{id}/tasks/reorder': {
    create: async (api, key) => {
      const id = await createLeadWithContact(api, key);
      reorderTaskId = await createTaskOfLead(api, key, id);
      return { id };
    },
    bodies: {
      get PATCH() {
        return { task_orders: [{ id: reorderTaskId, order: 1 }] };
      },
    },
  },
};
