/**
 * The answers to the plans option's qualification questions; a key is absent until the user
 * answered that question (true = yes, false = no). The leads module scores them (workflow score).
 * Its own file so the ports, the effects and the session snapshot can all name it without a cycle.
 */
export interface LeadQualification {
  /** "¿Ya tienes presupuesto para el plan …?" */
  budget_confirmed?: boolean;
  /** "¿Te gustaría instalarlo en el próximo mes?" */
  timeline_defined?: boolean;
  /** "¿Eres tú quien decide la contratación?" */
  decision_maker_involved?: boolean;
}
