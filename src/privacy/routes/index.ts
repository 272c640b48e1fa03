import type { Module } from '../../platform/module.js';
import type { Erasure } from '../erasure.js';
import { registerAdminErase } from './admin-erase.js';
import { registerErase } from './erase.js';

/** Erasure for an organization (`v1` group, a key with the admin scope) and across organizations (`admin` group). */
export function privacyRoutes(erasure: Erasure): NonNullable<Module['routes']> {
  return {
    v1: (group) => registerErase(group, erasure),
    admin: (group) => registerAdminErase(group, erasure),
  };
}
