/**
 * `settings.send_time_optimization` (docs/campaigns.md, "Send time optimization"): a step without
 * an explicit `send_time` goes to each recipient at the hour of the day they usually read, learned
 * from their own history in the conversation log — the local hours (in the contact's time zone) of
 * the messages they wrote and of the moments they read ours, over the last
 * {@link STO_LOOKBACK_DAYS} days. With fewer than {@link STO_MIN_POINTS} such moments there is
 * nothing to learn from and the step goes now.
 *
 * One aggregation per batch of due enrollments (never one query per recipient): the log's
 * `(waId, at)` index narrows it to the batch's phones and the look-back, and it answers at most 24
 * rows per recipient (a count per local hour).
 */
import type { ConversationLog } from '../conversations/conversation-log.js';
import { localHour, nextLocalHour, zoneOrDefault } from './send-window.js';

export const STO_LOOKBACK_DAYS = 90;
/** Fewer moments than this and the step goes now: one or two messages say little about a habit. */
export const STO_MIN_POINTS = 3;
/** The most a step waits for its recipient's hour (the next time a clock reads an hour is less than a day away anyway). */
export const STO_MAX_DELAY_MS = 24 * 3_600_000;

/** A recipient's moments per local hour of the day (index 0–23) and in all. */
export interface ReadingHabit {
  hours: number[];
  total: number;
}

/**
 * The reading habits of `recipients` (phone → time zone) in the conversations of the organization's
 * numbers `phoneNumberIds` (another organization's conversations with the same person are not
 * read): their inbound messages and the reads of the messages sent to them since `now` minus the
 * look-back. Recipients without any moment are absent from the answer.
 */
export async function readingHabits(log: Pick<ConversationLog, 'model'>, recipients: ReadonlyMap<string, string | null | undefined>, phoneNumberIds: readonly string[], now: Date): Promise<Map<string, ReadingHabit>> {
  const habits = new Map<string, ReadingHabit>();
  if (recipients.size === 0 || phoneNumberIds.length === 0) return habits;
  // The local hour is computed by the store in each recipient's own zone: one $switch branch per
  // distinct zone of the batch (usually one or two), the default zone for the rest.
  const byZone = new Map<string, string[]>();
  for (const [phone, zone] of recipients) {
    const tz = zoneOrDefault(zone);
    byZone.set(tz, [...(byZone.get(tz) ?? []), phone]);
  }
  const [defaultZone, ...others] = [...byZone.keys()].sort((a, b) => (byZone.get(b)?.length ?? 0) - (byZone.get(a)?.length ?? 0));
  const timezone = others.length ? { $switch: { branches: others.map((tz) => ({ case: { $in: ['$waId', byZone.get(tz)] }, then: tz })), default: defaultZone } } : defaultZone;
  const since = new Date(now.getTime() - STO_LOOKBACK_DAYS * 86_400_000);
  const rows = await log.model
    .aggregate<{ _id: { waId: string; hour: number }; n: number }>([
      // Outbound messages are filtered on when they were queued: a read comes after that anyway.
      { $match: { waId: { $in: [...recipients.keys()] }, at: { $gte: since }, phoneNumberId: { $in: [...phoneNumberIds] }, $or: [{ direction: 'inbound' }, { direction: 'outbound', status: 'read' }] } },
      {
        $project: {
          _id: 0,
          waId: 1,
          // An inbound message: when the user wrote it; ours: when the user read it (its status history).
          t: {
            $cond: [
              { $eq: ['$direction', 'inbound'] },
              '$at',
              { $let: { vars: { read: { $arrayElemAt: [{ $filter: { input: { $ifNull: ['$statusHistory', []] }, as: 's', cond: { $eq: ['$$s.status', 'read'] } } }, 0] } }, in: '$$read.at' } },
            ],
          },
        },
      },
      { $match: { t: { $type: 'date', $gte: since } } },
      { $group: { _id: { waId: '$waId', hour: { $hour: { date: '$t', timezone } } }, n: { $sum: 1 } } },
    ])
    .exec();
  for (const { _id, n } of rows) {
    const habit = habits.get(_id.waId) ?? { hours: Array.from({ length: 24 }, () => 0), total: 0 };
    habit.hours[_id.hour] = (habit.hours[_id.hour] ?? 0) + n;
    habit.total += n;
    habits.set(_id.waId, habit);
  }
  return habits;
}

/**
 * The hour a recipient most often reads, or null without enough history. Ties go to the hour
 * that comes first from `currentHour` on (the shortest wait).
 */
export function usualHour(habit: ReadingHabit | undefined, currentHour: number): number | null {
  if (!habit || habit.total < STO_MIN_POINTS) return null;
  let best: number | null = null;
  for (let step = 0; step < 24; step++) {
    const hour = (currentHour + step) % 24;
    if ((habit.hours[hour] ?? 0) > (best === null ? 0 : (habit.hours[best] ?? 0))) best = hour;
  }
  return best;
}

/**
 * When a step should go to a recipient of habit `habit` in `zone`, due at `now`: `now` when the
 * habit is unknown or its hour is the current one, else the next time the recipient's clock reads
 * that hour (at most {@link STO_MAX_DELAY_MS} ahead).
 */
export function optimizedSendTime(habit: ReadingHabit | undefined, zone: string | null | undefined, now: Date): Date {
  const tz = zoneOrDefault(zone);
  const hour = usualHour(habit, localHour(now, tz));
  if (hour === null) return now;
  const at = nextLocalHour(hour, tz, now);
  return new Date(Math.min(at.getTime(), now.getTime() + STO_MAX_DELAY_MS));
}
