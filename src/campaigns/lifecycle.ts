/**
 * A campaign's status rules: draft → active (start, with at least one message), active ⇄ paused
 * (pause, resume), anything → archived (DELETE, the soft delete; archived is final), and
 * completed, set by the sender (sender.ts) when every enrollment has finished.
 */
import type { CampaignStatus } from './models.js';

/** `complete` is the sender's own (every enrollment finished), never an API route. */
export type CampaignAction = 'start' | 'pause' | 'resume' | 'archive' | 'complete';

/** The status each action leads to. */
export const ACTION_TARGET: Record<CampaignAction, CampaignStatus> = { start: 'active', pause: 'paused', resume: 'active', archive: 'archived', complete: 'completed' };

/** Why `action` cannot run on a campaign in `status` (a 409's message), or null when it can. */
export function actionRefusal(action: CampaignAction, status: CampaignStatus): string | null {
  if (status === 'archived') return 'The campaign is archived: it cannot be changed';
  switch (action) {
    case 'start':
      if (status === 'draft') return null;
      if (status === 'paused') return 'The campaign is paused: resume it instead';
      return `The campaign is ${status}: only a draft campaign can be started`;
    case 'pause':
      return status === 'active' ? null : `The campaign is ${status}: only an active campaign can be paused`;
    case 'resume':
      return status === 'paused' ? null : `The campaign is ${status}: only a paused campaign can be resumed`;
    case 'archive':
      return null;
    case 'complete':
      return status === 'active' ? null : `The campaign is ${status}: only an active campaign completes`;
  }
}

/** Why a campaign in `status` takes no change of its fields or messages, or null. */
export function editRefusal(status: CampaignStatus, what: 'fields' | 'messages' | 'enrollments'): string | null {
  if (status === 'archived') return 'The campaign is archived: it cannot be changed';
  if (status === 'completed' && what !== 'fields') return `The campaign is completed: its ${what} cannot change`;
  return null;
}
