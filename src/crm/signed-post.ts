import type { AxiosInstance, AxiosResponse } from 'axios';
import { signBody } from '../whatsapp/signature.js';

export interface CrmAuth {
  botApiToken: string;
  botSignatureSecret: string;
  /** Full `User-Agent` value, `Puente/<version>`. */
  userAgent: string;
}

/**
 * POSTs a JSON string to the CRM the way docs/crm-contract.md fixes it: `Authorization: Bearer BOT_API_TOKEN`,
 * `X-Bot-Signature` over exactly the bytes sent, `User-Agent: Puente/<version>`. The answer comes
 * back raw (any status, body as text) for the caller to judge; network failures throw.
 */
export function postSignedToCrm(http: AxiosInstance, url: string, body: string, auth: CrmAuth, timeoutMs: number): Promise<AxiosResponse<string>> {
  return http.post<string>(url, body, {
    headers: {
      Authorization: `Bearer ${auth.botApiToken}`,
      'Content-Type': 'application/json',
      'User-Agent': auth.userAgent,
      'X-Bot-Signature': signBody(auth.botSignatureSecret, body),
    },
    // Send exactly the signed string; read answers raw so an empty or non-JSON 2xx is ours to judge.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
    timeout: timeoutMs,
    // axios' own timeout does not bound a slowly trickling body; the signal bounds the whole call.
    signal: AbortSignal.timeout(timeoutMs),
    validateStatus: () => true,
    maxRedirects: 0,
  });
}
