/**
 * Version of the conversation machine. It is stamped on stored sessions and on interactive reply
 * ids, so a session or a tapped button from an older machine is recognised and discarded instead
 * of being misread. Bump it whenever states, snapshot fields or reply ids change meaning.
 *
 * Lives in its own module (re-exported by `machine.ts`) so the reply-id codec can use it without
 * an import cycle through the machine.
 */
export const MACHINE_VERSION = 1;
