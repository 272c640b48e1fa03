/** The campaign's stored criteria and settings: defaults, merging a request into them, and their cross-field rules. */
import { normalizeTags } from '../contacts/normalize.js';
import { AppError } from '../platform/http/errors.js';
import type { CampaignSettings, TargetCriteria } from './models.js';
import type { SettingsInput, TargetCriteriaInput } from './schemas.js';

export const DEFAULT_CRITERIA: TargetCriteria = {
  lifecycle_stages: [],
  lead_stages: [],
  min_lead_score: null,
  max_lead_score: null,
  lead_sources: [],
  tags: [],
  opt_in_status: [],
  exclude_do_not_contact: true,
  exclude_already_enrolled: true,
  max_contacts: null,
};

export const DEFAULT_SETTINGS: CampaignSettings = { send_time_optimization: false, frequency_cap: null };

const unique = (values: readonly string[]) => [...new Set(values)];

/** `input` merged key by key into `base` (absent: kept, null: back to the default), normalized. */
export function mergeCriteria(base: TargetCriteria, input: TargetCriteriaInput | undefined): TargetCriteria {
  const out: TargetCriteria = { ...DEFAULT_CRITERIA, ...base };
  if (input) {
    for (const [key, value] of Object.entries(input) as [keyof TargetCriteria, unknown][]) {
      if (value === undefined) continue;
      (out as unknown as Record<string, unknown>)[key] = value === null ? DEFAULT_CRITERIA[key] : value;
    }
  }
  out.tags = normalizeTags(out.tags);
  out.lead_sources = unique(out.lead_sources.map((s) => s.trim()).filter(Boolean));
  out.lifecycle_stages = unique(out.lifecycle_stages);
  out.lead_stages = unique(out.lead_stages);
  out.opt_in_status = unique(out.opt_in_status);
  if (out.min_lead_score !== null && out.max_lead_score !== null && out.min_lead_score > out.max_lead_score) {
    throw new AppError('INVALID_VALUE', 'min_lead_score is above max_lead_score', [{ path: 'target_criteria.min_lead_score', message: `${out.min_lead_score} > max_lead_score ${out.max_lead_score}` }]);
  }
  return out;
}

export function mergeSettings(base: CampaignSettings, input: SettingsInput | undefined): CampaignSettings {
  const out: CampaignSettings = { ...DEFAULT_SETTINGS, ...base };
  if (input?.send_time_optimization !== undefined) out.send_time_optimization = input.send_time_optimization;
  if (input?.frequency_cap !== undefined) out.frequency_cap = input.frequency_cap === null || input.frequency_cap === 'none' ? null : input.frequency_cap;
  for (const key of ['send_rate', 'phone_number_id', 'conversion_window_days'] as const) {
    if (input?.[key] === null) delete out[key];
    else if (input?.[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = input[key];
  }
  return out;
}

/** Whether the criteria say anything about leads (then only contacts with a matching open lead qualify). */
export function hasLeadConditions(c: TargetCriteria): boolean {
  return c.lifecycle_stages.length > 0 || c.lead_stages.length > 0 || c.min_lead_score !== null || c.max_lead_score !== null || c.lead_sources.length > 0;
}

/** end_date must come after start_date. */
export function checkDates(start: Date | undefined, end: Date | undefined): void {
  if (start && end && end.getTime() <= start.getTime()) {
    throw new AppError('INVALID_VALUE', 'end_date must be after start_date', [{ path: 'end_date', message: `${end.toISOString()} is not after ${start.toISOString()}` }]);
  }
}
