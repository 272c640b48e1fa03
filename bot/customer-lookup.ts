import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { Logger } from '../src/platform/logging/logger.js';
import { postSignedToCrm } from '../src/crm/signed-post.js';
import type { Customer } from './snapshot.js';

/** The outcome of asking the CRM who owns a document number. */
export type LookupResult =
  | { outcome: 'found'; customer: Customer }
  | { outcome: 'not_found' }
  | { outcome: 'unavailable'; reason: string };

export interface LookupRequest {
  document: string;
  /** The user's WhatsApp number (wa_id), e.g. `573001234567`. */
  phone: string;
}

/** Authenticates users against the CRM. Never throws: failures come back as `unavailable`. */
export interface CustomerLookup {
  lookup(request: LookupRequest): Promise<LookupResult>;
}

export interface CustomerLookupOptions {
  crmBaseUrl: string;
  botApiToken: string;
  botSignatureSecret: string;
  /** Full header value, `Puente/<version>`. */
  userAgent: string;
  /** Per attempt; the lane waits for at most two attempts. Default 5000. */
  timeoutMs?: number;
  /** Pause before the single retry. Default 200. */
  retryDelayMs?: number;
  logger: Logger;
  http?: AxiosInstance;
}

const text = z.string().trim().min(1);
/** Display fields are best effort: a field the CRM shapes differently is dropped, not fatal. */
const crmCustomerSchema = z
  .object({
    customerId: z.union([text, z.number()]).transform(String),
    customerName: text,
    serviceSuspended: z.boolean().optional(),
    /** The same flag under another name some CRMs use; accepted as an alias (docs/crm-contract.md, customer lookup). */
    isInactive: z.boolean().optional(),
    plan: z.union([text, z.object({ name: text }).transform((p) => p.name)]).optional().catch(undefined),
    serviceStatus: text.optional().catch(undefined),
    balance: z.union([z.number(), text]).optional().catch(undefined),
    dueDate: text.optional().catch(undefined),
  })
  .refine((c) => c.serviceSuspended !== undefined || c.isInactive !== undefined, 'serviceSuspended is required');
const lookupResponseSchema = z.object({ found: z.boolean(), customer: crmCustomerSchema.optional() });

type Attempt = { done: LookupResult } | { retry: string };

/**
 * Client for `POST ${CRM_BASE_URL}/api/bot/customer-lookup` (docs/crm-contract.md). Timeouts, network
 * errors, 429 and 5xx are retried once; then, like 401/403/other 4xx and malformed answers,
 * they become `unavailable` so the bot can tell the user and give EMERGENCY_PHONE.
 */
export function createCustomerLookup(options: CustomerLookupOptions): CustomerLookup {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const http = options.http ?? axios.create();
  const url = `${options.crmBaseUrl.replace(/\/+$/, '')}/api/bot/customer-lookup`;
  const log = options.logger.child({ component: 'customer-lookup' });

  async function attempt(body: string): Promise<Attempt> {
    let response;
    try {
      response = await postSignedToCrm(http, url, body, options, timeoutMs);
    } catch (err) {
      return { retry: `network: ${(err as { code?: string }).code ?? (err as Error).message}` };
    }
    const { status } = response;
    if (status >= 500 || status === 429) return { retry: `status ${status}` };
    if (status === 404) return notFoundOr(response.data);
    if (status !== 200) {
      log[status === 401 || status === 403 ? 'error' : 'warn']({ status }, 'CRM refused the customer lookup');
      return { done: { outcome: 'unavailable', reason: `status ${status}` } };
    }
    return { done: parseFound(response.data) };
  }

  function parseFound(raw: unknown): LookupResult {
    const parsed = lookupResponseSchema.safeParse(parseJson(raw));
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'CRM customer lookup answered an unexpected body');
      return { outcome: 'unavailable', reason: 'malformed response' };
    }
    const { found, customer } = parsed.data;
    if (!found) return { outcome: 'not_found' };
    if (!customer) return { outcome: 'unavailable', reason: 'found without customer' };
    const { isInactive, serviceSuspended, ...rest } = customer;
    return { outcome: 'found', customer: { ...rest, serviceSuspended: serviceSuspended ?? isInactive ?? false } };
  }

  /** 404 means "no such customer" — unless the body is an HTML page from a proxy, i.e. a wrong URL. */
  function notFoundOr(raw: unknown): Attempt {
    const body = typeof raw === 'string' ? raw.trim() : '';
    if (body === '' || parseJson(body) !== INVALID) return { done: { outcome: 'not_found' } };
    log.error({ status: 404 }, 'CRM customer-lookup endpoint answered 404 without JSON; check CRM_BASE_URL');
    return { done: { outcome: 'unavailable', reason: 'status 404 without JSON' } };
  }

  return {
    async lookup(request) {
      const body = JSON.stringify({ document: request.document, phone: request.phone });
      let last = '';
      for (let attemptNo = 1; attemptNo <= 2; attemptNo += 1) {
        const result = await attempt(body);
        if ('done' in result) return result.done;
        last = result.retry;
        log.warn({ attempt: attemptNo, reason: last }, 'CRM customer lookup failed');
        if (attemptNo === 1) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
      return { outcome: 'unavailable', reason: last };
    },
  };
}

const INVALID = Symbol('invalid JSON');
function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return INVALID;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return INVALID;
  }
}
