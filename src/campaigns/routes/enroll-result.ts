import type { EnrollOutcome } from '../enroll.js';
import { toEnrollment, type EnrollResultJson } from '../schemas.js';

/** An enrollment call's answer (the enrollments as made: the contact summary is left null here). */
export const toEnrollResult = (o: EnrollOutcome): EnrollResultJson => ({
  enrolled_count: o.enrolled_count,
  already_enrolled_count: o.already_enrolled_count,
  skipped_count: o.skipped_count,
  enrollments: o.enrollments.map((e) => toEnrollment(e)),
  already_enrolled: o.already_enrolled,
  skipped: o.skipped,
});
