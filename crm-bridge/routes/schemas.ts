import { z } from '@hono/zod-openapi';

export const ticketIdSchema = z.string().regex(/^TK-\d{4}-\d{6,}$/, 'must look like TK-2025-001234').openapi({ example: 'TK-2025-001234' });
export const userPhoneSchema = z.string().regex(/^\+?\d{7,15}$/, 'must be the user phone, digits only').openapi({ example: '573001234567' });

/** The CRM contract's success body (docs/crm-contract.md), kept exactly as agreed: not the error shape. */
export const crmSuccessSchema = z.object({ success: z.literal(true), message: z.string(), ticketId: z.string() });
