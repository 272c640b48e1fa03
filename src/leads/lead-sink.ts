import type { Connection } from 'mongoose';
import type { LeadInput, LeadSink } from '../../bot/ports.js';
import { leadModel } from './lead-model.js';

/**
 * Stores the bot's leads in MongoDB. Asking twice for the same plan while the lead is still at
 * stage `lead` updates that lead (name, `requestCount`, `lastRequestedAt`) instead of creating a
 * duplicate for the sales team; a different plan, or a lead already worked on, gives a new lead.
 * Writes for one user never race: they come from that user's lane, one at a time.
 */
export function createLeadSink(connection: Connection, now: () => Date = () => new Date()): LeadSink {
  const Lead = leadModel(connection);
  return {
    async saveLead(lead: LeadInput) {
      const at = now();
      await Lead.updateOne(
        { phone: lead.phone, phoneNumberId: lead.phoneNumberId, planOfInterest: lead.plan.id, stage: 'lead' },
        {
          $set: { name: lead.name, planName: lead.plan.name, lastRequestedAt: at },
          $inc: { requestCount: 1 },
          $setOnInsert: { source: lead.source, score: 0, stageChangedAt: at },
        },
        { upsert: true, runValidators: true },
      );
    },
  };
}
