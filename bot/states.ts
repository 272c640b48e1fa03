/**
 * The states of the conversation machine (transitions are in `machine.ts`):
 * - `idle`: no session yet, or the user said "salir"; any message greets and shows the menu.
 * - `main_menu`: the four options of the contract are on screen.
 * - `auth_document`: waiting for the document number (options 1–3 need it).
 * - `support_topic`: which problem (no internet / slow / other).
 * - `support_confirm`: troubleshooting steps shown, waiting for "¿Se solucionó?".
 * - `plans_pick`: the plans list is on screen.
 * - `plans_name`: waiting for the name that goes with the lead.
 * - `plans_budget`, `plans_timeline`, `plans_decider`: the lead's qualification questions, one
 *   per state (budget for the plan? installation within a month? the one who decides?), Sí/No.
 * - `handover`: a person has the conversation; the bot stays silent.
 */
export const STATE_NAMES = [
  'idle',
  'main_menu',
  'auth_document',
  'support_topic',
  'support_confirm',
  'plans_pick',
  'plans_name',
  'plans_budget',
  'plans_timeline',
  'plans_decider',
  'handover',
] as const;

export type StateName = (typeof STATE_NAMES)[number];
