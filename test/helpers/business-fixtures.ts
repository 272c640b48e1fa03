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

/** A webhook subscription of `key`'s organization: a public https target (an IP literal, so no DNS is needed; nothing is sent without workers). */
const createWebhook = async (api: BusinessApiClient, key: string): Promise<string> =>
  idOf(await api.request('POST', '/api/v1/webhooks', key, { url: 'https://93.184.216.34/puente-hook', events: ['ticket.created'] }), 'a webhook');

/** A draft campaign of `key`'s organization, optionally with one step and moved through `actions` (start, pause): its id. */
const createCampaign = async (api: BusinessApiClient, key: string, options: { message?: boolean; actions?: ('start' | 'pause')[] } = {}): Promise<string> => {
  const id = await idOf(await api.request('POST', '/api/v1/campaigns', key, { name: 'Campaña de prueba' }), 'a campaign');
  if (options.message) await createCampaignMessage(api, key, id);
  for (const action of options.actions ?? []) {
    const res = await api.request('POST', `/api/v1/campaigns/${id}/${action}`, key);
    if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${await res.text()}`);
  }
  return id;
};
/** A campaign step (the isolation suite runs without WHATSAPP_BUSINESS_ACCOUNT_ID: the template is kept unchecked). */
const campaignMessageBody = { template_name: 'promo_prueba', template_language: 'es', template_parameters: [{ value: '{{first_name}}', fallback: 'cliente' }] };
const createCampaignMessage = async (api: BusinessApiClient, key: string, campaignId: string): Promise<string> =>
  idOf(await api.request('POST', `/api/v1/campaigns/${campaignId}/messages`, key, campaignMessageBody), 'a campaign message');
/** The contact the enroll fixture made last: its body names it (another organization gets the campaign's 404 first). */
let enrollContactId = 'ct_none';

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
  '/api/v1/webhooks/{id}': {
    create: async (api, key) => ({ id: await createWebhook(api, key) }),
    bodies: { PATCH: { description: 'Descripción cambiada' } },
  },
  '/api/v1/webhooks/{id}/test': {
    create: async (api, key) => ({ id: await createWebhook(api, key) }),
    bodies: { POST: { event: 'ticket.created' } },
  },
  '/api/v1/webhooks/{id}/deliveries': {
    create: async (api, key) => ({ id: await createWebhook(api, key) }),
  },
  '/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver': {
    create: async (api, key) => {
      const id = await createWebhook(api, key);
      const res = await api.request('POST', `/api/v1/webhooks/${id}/test`, key, { event: 'ticket.created' });
      if (res.status !== 202) throw new Error(`a test delivery answered ${res.status}: ${await res.text()}`);
      return { id, delivery_id: ((await res.json()) as { id: string }).id };
    },
  },
  '/api/v1/campaigns/{id}': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
    bodies: { PATCH: { description: 'Descripción cambiada' } },
  },
  '/api/v1/campaigns/{id}/start': {
    create: async (api, key) => ({ id: await createCampaign(api, key, { message: true }) }),
  },
  '/api/v1/campaigns/{id}/pause': {
    create: async (api, key) => ({ id: await createCampaign(api, key, { message: true, actions: ['start'] }) }),
  },
  '/api/v1/campaigns/{id}/resume': {
    create: async (api, key) => ({ id: await createCampaign(api, key, { message: true, actions: ['start', 'pause'] }) }),
  },
  '/api/v1/campaigns/{id}/messages': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
    bodies: { POST: campaignMessageBody },
  },
  '/api/v1/campaigns/{id}/messages/{message_id}': {
    create: async (api, key) => {
      const id = await createCampaign(api, key);
      return { id, message_id: await createCampaignMessage(api, key, id) };
    },
    bodies: { PATCH: { delay_amount: 2, delay_unit: 'hours' } },
  },
  '/api/v1/campaigns/{id}/enroll': {
    create: async (api, key) => {
      enrollContactId = await idOf(await api.request('POST', '/api/v1/contacts', key, { phone: freshPhone(), name: 'Contacto de prueba' }), 'a contact');
      return { id: await createCampaign(api, key) };
    },
    bodies: {
      get POST() {
        return { contact_ids: [enrollContactId] };
      },
    },
  },
  '/api/v1/campaigns/{id}/enroll-from-criteria': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
  '/api/v1/campaigns/{id}/targeted-contacts': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
  '/api/v1/campaigns/{id}/contacts': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
  '/api/v1/campaigns/{id}/unenroll/{contact_id}': {
    create: async (api, key) => {
      const id = await createCampaign(api, key);
      const contactId = await idOf(await api.request('POST', '/api/v1/contacts', key, { phone: freshPhone(), name: 'Contacto de prueba' }), 'a contact');
      const res = await api.request('POST', `/api/v1/campaigns/${id}/enroll`, key, { contact_ids: [contactId] });
      if (res.status !== 201) throw new Error(`enrolling answered ${res.status}: ${await res.text()}`);
      return { id, contact_id: contactId };
    },
  },
  '/api/v1/campaigns/{id}/performance': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
  '/api/v1/campaigns/{id}/funnel': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
  '/api/v1/campaigns/{id}/activities': {
    create: async (api, key) => ({ id: await createCampaign(api, key) }),
  },
};
