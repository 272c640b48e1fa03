/**
 * The sender's writes to an enrollment (docs/campaigns.md, "One send per (enrollment, step)"):
 * every one is conditional on the step the sender read, so a run acting on a stale read changes
 * nothing. `claim` moves `current_step` to the step being sent (`send_state: claimed`) — of any
 * number of runs that read the same enrollment one wins; `claimAgain` takes over a claim whose run
 * died before its move; `moveQueued` marks the queued step and schedules the next; `end` and
 * `postpone` are the checks' outcomes. Claims and moves take a group of enrollments in one update.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { CampaignMessageDoc, DelayUnit, EnrollmentDoc, ExitReason } from './models.js';

/** A claimed step not marked queued after this long is queued again (same outbound id). */
export const CLAIM_TIMEOUT_MS = 60_000;

/** Running enrollments (those the sender still sends to). */
export const RUNNING = ['pending', 'active'] as const;

const UNIT_MS: Record<DelayUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 7 * 86_400_000 };
export const stepDelayMs = (step: Pick<CampaignMessageDoc, 'delay_amount' | 'delay_unit'>) => step.delay_amount * UNIT_MS[step.delay_unit];

export type StepClaims = ReturnType<typeof createStepClaims>;

/** `count` records an outcome in `puente_campaign_sends_total`. */
export function createStepClaims(Enrollment: Model<EnrollmentDoc>, count: (result: string, n?: number) => void) {
  /** Ends an enrollment (not sent, nothing more to send) with a reason; only if it is still at `enr`'s step. */
  async function end(enr: EnrollmentDoc, how: { status: 'unsubscribed' | 'completed'; reason: ExitReason; error?: { code: string; title: string } }, now: Date): Promise<void> {
    const set: Record<string, unknown> = { status: how.status, exit_reason: how.reason, updated_at: now };
    if (how.status === 'unsubscribed') set.unsubscribed_at = now;
    else set.completed_at = now;
    if (how.error) set.last_error = { ...how.error, at: now };
    const res = await Enrollment.updateOne({ _id: enr._id, status: { $in: [...RUNNING] }, current_step: enr.current_step }, { $set: set, $unset: { next_step_at: '', send_state: '' } });
    if (res.modifiedCount) count(`ended_${how.reason === 'skipped' ? (how.error?.code ?? 'skipped') : how.reason}`);
  }

  async function postpone(enr: EnrollmentDoc, until: Date, why: string, also: Partial<EnrollmentDoc> = {}): Promise<void> {
    await Enrollment.updateOne({ _id: enr._id, status: { $in: [...RUNNING] }, current_step: enr.current_step, next_step_at: enr.next_step_at }, { $set: { ...also, next_step_at: until, updated_at: new Date() } });
    count(`postponed_${why}`);
  }

  /**
   * Claims step `stepNumber` for the enrollments `ids` that are still at `currentStep` and not
   * claimed: one conditional update for all of them. The random token written with the claim tells
   * this run which ones it won when the update changed fewer than all (another run took some).
   * @returns the ids this run claimed
   */
  async function claim(ids: string[], currentStep: number, stepNumber: number, claimedAt: Date): Promise<Set<string>> {
    const filter = { status: { $in: [...RUNNING] }, current_step: currentStep, send_state: { $ne: 'claimed' as const } };
    const update = (extra: Record<string, unknown>) => ({
      $set: { current_step: stepNumber, status: 'active', send_state: 'claimed', next_step_at: new Date(claimedAt.getTime() + CLAIM_TIMEOUT_MS), updated_at: claimedAt, ...extra },
      $min: { sent_at: claimedAt },
    });
    if (ids.length === 1) {
      const res = await Enrollment.updateOne({ _id: ids[0], ...filter }, update({}));
      return new Set(res.modifiedCount ? ids : []);
    }
    const token = randomUUID();
    const res = await Enrollment.updateMany({ _id: { $in: ids }, ...filter }, update({ claim_token: token }));
    if (res.modifiedCount === 0) return new Set();
    if (res.modifiedCount === ids.length) return new Set(ids);
    const mine = await Enrollment.find({ _id: { $in: ids }, claim_token: token }, { _id: 1 }).lean<{ _id: string }[]>();
    return new Set(mine.map((e) => e._id));
  }

  /** Takes over a claim found `claimed` (its run died before the move), as it was read: whether this run got it. */
  async function claimAgain(enr: EnrollmentDoc, claimedAt: Date): Promise<boolean> {
    const res = await Enrollment.updateOne(
      { _id: enr._id, status: { $in: [...RUNNING] }, current_step: enr.current_step, send_state: 'claimed', next_step_at: enr.next_step_at },
      { $set: { next_step_at: new Date(claimedAt.getTime() + CLAIM_TIMEOUT_MS), updated_at: claimedAt } },
    );
    return res.modifiedCount > 0;
  }

  /** After the enqueue: `send_state: queued` and the next step's due time, or completed after the last step. */
  async function moveQueued(ids: string[], stepNumber: number, next: CampaignMessageDoc | undefined, done: Date): Promise<void> {
    const moved = await Enrollment.updateMany(
      { _id: { $in: ids }, status: 'active', current_step: stepNumber, send_state: 'claimed' },
      next
        ? { $set: { send_state: 'queued', next_step_at: new Date(done.getTime() + stepDelayMs(next)), updated_at: done } }
        : { $set: { send_state: 'queued', status: 'completed', exit_reason: 'completed', completed_at: done, updated_at: done }, $unset: { next_step_at: '' } },
    );
    // Some ended meanwhile (e.g. bounced by Meta's answer, which can come before this line): only their send state moves.
    if (moved.modifiedCount < ids.length) await Enrollment.updateMany({ _id: { $in: ids }, current_step: stepNumber, send_state: 'claimed' }, { $set: { send_state: 'queued' }, $unset: { next_step_at: '' } });
  }

  return { end, postpone, claim, claimAgain, moveQueued };
}
