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

export const businessFixtures: Record<string, PathFixture> = {
  '/api/v1/contacts/{id}': {
    create: async (api, key) => ({ id: await idOf(await api.request('POST', '/api/v1/contacts', key, { phone: freshPhone(), name: 'Contacto de prueba' }), 'a contact') }),
    bodies: { PUT: { name: 'Nombre cambiado' } },
  },
  '/api/v1/imports/{id}': {
    create: async (api, key) => ({ id: await idOf(await api.request('POST', '/api/v1/imports', key, { source: 'csv', name: 'Cohorte de prueba' }), 'an import') }),
    bodies: { PUT: { status: 'completed', total_rows: 1 } },
  },
};
