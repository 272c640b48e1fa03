import { MACHINE_VERSION } from './version.js';

/**
 * The menus whose options can be tapped. `menu` is the main menu of the contract
 * (`menu.account`, `menu.support`, `menu.agent`, `menu.plans`); `nav` holds navigation buttons
 * shown from any state (`nav.menu`). The plans option's qualification questions each have their
 * own menu (`budget`, `timeline`, `decider`, options `yes`/`no`), so the id says which question a
 * "Sí" answers and a button of an earlier question is stale in a later one.
 */
export const MENU_NAMES = ['menu', 'nav', 'support', 'confirm', 'plan', 'budget', 'timeline', 'decider'] as const;
export type MenuName = (typeof MENU_NAMES)[number];

/** The main menu's options, in the order shown (and typed as 1–4); their ids are agreed with the customer (docs/bot.md). */
export const MAIN_OPTIONS = ['account', 'support', 'agent', 'plans'] as const;

/** A decoded reply id. `version` is undefined for the unprefixed contract form (`menu.agent`). */
export interface ReplyId {
  version: number | undefined;
  menu: MenuName;
  option: string;
}

const OPTION = /^[a-z0-9_-]{1,64}$/;
const ID = /^(?:v(\d{1,4}):)?([a-z]+)\.([a-z0-9_-]{1,64})$/;

/**
 * Builds the id of an interactive button or list row: `v<version>:<menu>.<option>`,
 * e.g. `encodeReplyId('menu', 'agent')` → `v1:menu.agent` (the contract only fixes the ending).
 */
export function encodeReplyId(menu: MenuName, option: string): string {
  if (!OPTION.test(option)) throw new Error(`reply option must match ${OPTION.source}: ${JSON.stringify(option)}`);
  return `v${MACHINE_VERSION}:${menu}.${option}`;
}

/** Parses a reply id or a template quick-reply payload; undefined when it is not one of ours. */
export function decodeReplyId(id: string): ReplyId | undefined {
  const match = ID.exec(id.trim());
  if (!match) return undefined;
  const [, version, menu, option] = match;
  if (!menu || !option || !isMenuName(menu)) return undefined;
  return { version: version === undefined ? undefined : Number(version), menu, option };
}

function isMenuName(value: string): value is MenuName {
  return (MENU_NAMES as readonly string[]).includes(value);
}
