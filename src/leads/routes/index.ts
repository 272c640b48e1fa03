import type { RouteGroup } from '../../platform/http/route-group.js';
import type { Module } from '../../platform/module.js';
import type { LeadRouteDeps } from './context.js';
import { registerCreateLead } from './create-lead.js';
import { registerGetLead } from './get-lead.js';
import { registerPipelineRoutes } from './pipeline.js';
import { registerScoringRoutes } from './scoring.js';
import { registerSearchRoutes } from './search.js';

/** The leads API in the `v1` group; search and stats before `{id}`, so those words are never read as an id. */
export function leadRoutes(deps: LeadRouteDeps, more: ((group: RouteGroup) => void)[] = []): NonNullable<Module['routes']> {
  return {
    v1: (group) => {
      registerSearchRoutes(group, deps);
      registerCreateLead(group, deps);
      registerGetLead(group, deps);
      registerPipelineRoutes(group, deps);
      registerScoringRoutes(group, deps);
      for (const register of more) register(group);
    },
  };
}
