import type { Connection } from 'mongoose';
import type { LeadSink } from '../../bot/ports.js';
import type { Module } from '../platform/module.js';
import { createLeadSink } from './lead-sink.js';

export interface LeadsModule {
  /** Where the bot's plans option stores a lead. */
  sink: LeadSink;
  module: Module;
}

/** Leads: today only the store the bot's plans option writes to; the business API's leads routes will live here. */
export function createLeadsModule(connection: Connection): LeadsModule {
  return { sink: createLeadSink(connection), module: { name: 'leads' } };
}
