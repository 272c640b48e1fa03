import { Counter, type Registry } from 'prom-client';

/** The collections the retention purge deletes from (the `collection` label). */
export const RETENTION_COLLECTIONS = ['messages', 'tickets', 'leads', 'lead_tasks', 'lead_scores'] as const;
export type RetentionCollection = (typeof RETENTION_COLLECTIONS)[number];

export interface PrivacyMetrics {
  /** Documents the retention purge deleted, by collection. */
  retentionDeleted: Counter<'collection'>;
}

/** The module's metrics on `registry` (reused when a second module instance shares the registry, as in tests). */
export function createPrivacyMetrics(registry: Registry): PrivacyMetrics {
  const name = 'puente_retention_deleted_total';
  return {
    retentionDeleted:
      (registry.getSingleMetric(name) as Counter<'collection'> | undefined) ??
      new Counter({ name, help: 'Documents deleted by the retention purge, by collection (past RETENTION_*_DAYS)', labelNames: ['collection'], registers: [registry] }),
  };
}
