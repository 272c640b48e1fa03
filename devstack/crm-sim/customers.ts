/**
 * The CRM's test customers: one per branch of the bot's authenticated paths. A document the
 * playground user types is looked up here; anything else is "not found" (404 `{found: false}`).
 */

export interface TestCustomer {
  document: string;
  customerId: string;
  customerName: string;
  serviceSuspended: boolean;
  plan: string;
  /** Shown by the bot as is (Spanish, as a CRM in Colombia would answer). */
  serviceStatus: string;
  /** Pesos. */
  balance: number;
  /** `YYYY-MM-DD`. */
  dueDate: string;
}

/** Exactly two: an active customer and a suspended one (category `reactivacion_servicio` on handover). */
export const TEST_CUSTOMERS: TestCustomer[] = [
  {
    document: '1020304050',
    customerId: '100234',
    customerName: 'Laura Gómez',
    serviceSuspended: false,
    plan: 'Hogar 300 Mbps',
    serviceStatus: 'Activo',
    balance: 89_900,
    dueDate: '2026-07-15',
  },
  {
    document: '9080706050',
    customerId: '100871',
    customerName: 'Andrés Pérez',
    serviceSuspended: true,
    plan: 'Hogar 100 Mbps',
    serviceStatus: 'Suspendido',
    balance: 179_800,
    dueDate: '2026-05-30',
  },
];
