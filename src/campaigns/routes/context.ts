import { AppError, validationError } from '../../platform/http/errors.js';
import type { ValidationIssue } from '../../platform/http/route-group.js';
import type { RequestAuth } from '../../platform/http/types.js';
import type { CampaignFigures } from '../analytics.js';
import type { EnrollmentStore } from '../enrollments.js';
import { editRefusal } from '../lifecycle.js';
import type { CampaignDoc } from '../models.js';
import type { CampaignStore } from '../store.js';
import type { Targeting } from '../targeting.js';
import type { TemplateCatalog } from '../templates.js';

export interface CampaignRouteDeps {
  campaigns: CampaignStore;
  enrollments: EnrollmentStore;
  targeting: Targeting;
  templates: TemplateCatalog;
  /** Performance, funnel and activities (analytics.ts). */
  figures: CampaignFigures;
  /** The organization's business numbers (settings.phone_number_id must be one of them). */
  orgNumbers?: (orgId: string) => Promise<string[]>;
}

/** 422 unless `phoneNumberId` (when set) is one of the organization's business numbers. */
export async function checkSendingNumber(deps: CampaignRouteDeps, orgId: string, phoneNumberId: string | null | undefined): Promise<void> {
  if (!phoneNumberId || !deps.orgNumbers) return;
  const numbers = await deps.orgNumbers(orgId);
  if (!numbers.includes(phoneNumberId)) throw new AppError('INVALID_VALUE', 'settings.phone_number_id is not one of the organization’s WhatsApp numbers', [{ path: 'settings.phone_number_id', message: `one of: ${numbers.join(', ') || '(the organization has no number)'}` }]);
}

/** Who a change is recorded as: the API key that made it. */
export const actor = (auth: RequestAuth) => `api:${auth.keyId}`;

/** The organization's campaign, or a 404 (another organization's campaign is unknown too). */
export async function campaignFor(deps: CampaignRouteDeps, orgId: string, id: string): Promise<CampaignDoc> {
  const campaign = await deps.campaigns.get(orgId, id);
  if (!campaign) throw new AppError('NOT_FOUND', `No campaign ${id}`);
  return campaign;
}

/** The campaign, if its status lets `what` change (409 otherwise). */
export async function changeableCampaign(deps: CampaignRouteDeps, orgId: string, id: string, what: 'fields' | 'messages' | 'enrollments'): Promise<CampaignDoc> {
  const campaign = await campaignFor(deps, orgId, id);
  const refusal = editRefusal(campaign.status, what);
  if (refusal) throw new AppError('CONFLICT', refusal, { status: campaign.status });
  return campaign;
}

const WHATSAPP_FIELDS = new Set(['campaign_type', 'message_type', 'type']);

/**
 * The business API's validation (400 for a wrong shape, 422 for a refused value), except that a
 * campaign or message type other than whatsapp is always a 422 saying so: it is the one thing a
 * client coming from an email-capable API most needs to be told.
 */
export const campaignsHook = (result: { success: boolean; error?: { issues: readonly ValidationIssue[] } }): undefined => {
  if (result.success) return undefined;
  const issues = result.error?.issues ?? [];
  const whatsapp = issues.find((i) => i.code === 'invalid_value' && WHATSAPP_FIELDS.has(String(i.path.at(-1))));
  const error = validationError(issues);
  if (whatsapp) throw new AppError('INVALID_VALUE', whatsapp.message, error.details);
  throw error;
};
