/**
 * What the parts of Overall Management share: the wizard's state, its main menu, the admin check made at each
 * click and submission, and name validation for the modals. Each part (equipment, tags, locations,
 * admin roles, log, export) registers its steps on the same `admin` flow and session.
 *
 * @module
 */
import { ButtonStyle, type APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { MAX_NAME_LENGTH, type NamedKind } from '../../db/errors.js';
import type { Snowflake } from '../../domain/model.js';
import type { AdminResult } from '../../domain/services/admin-support.js';
import { customId } from '../custom-id.js';
import type { InteractionContext, Screen } from '../interactions/context.js';
import type { WizardSession } from '../interactions/session-store.js';
import { BACK_LABEL, button, buttonRow, PAGE_LABELS, rows, type ModalField, type Row } from '../interactions/ui.js';

export { selectedValues } from '../interactions/ui.js';
import type { ExportPeriod, LogPeriod } from './admin-periods.js';
import { FlowText, isAdmin, withNotice, type FlowDeps } from './flow-deps.js';

/** Which entry of a tag or location list is chosen, and which page of it is shown. */
export interface ListChoice {
  selectedId: number | null;
  page: number;
}

/** What Overall Management remembers between clicks (one session per open menu). */
export interface AdminState {
  /** The item being added: its name once entered, its tag (null: no tag), the page of the tag select. */
  draft: { name: string | null; tagId: number | null; tagPage: number };
  tags: ListChoice;
  locations: ListChoice;
  /** The role chosen on the admin roles screen. */
  roleId: Snowflake | null;
  log: { period: LogPeriod; page: number };
  exportPeriod: ExportPeriod;
}

/**
 * The state of a menu just opened.
 *
 * @returns nothing chosen, first pages, the log's last 7 days and this month's export
 */
export function initialAdminState(): AdminState {
  return {
    draft: { name: null, tagId: null, tagPage: 0 },
    tags: { selectedId: null, page: 0 },
    locations: { selectedId: null, page: 0 },
    roleId: null,
    log: { period: 'last-7-days', page: 0 },
    exportPeriod: 'this-month',
  };
}

/** A session of Overall Management. */
export type AdminSession = WizardSession<AdminState>;

/** What the main menu and the shared answers show. */
export const AdminText = {
  menu: 'Overall Management: choose what to manage.',
  addEquipmentLabel: 'Add Equipment',
  tagsLabel: 'Tags',
  locationsLabel: 'Locations',
  rolesLabel: 'Admin Roles',
  logLabel: 'Overall Log',
  exportLabel: 'Export CSV',
  previousLabel: PAGE_LABELS.previous,
  nextLabel: PAGE_LABELS.next,
  nameEmpty: (kind: NamedKind) => `The ${kind} name is empty. Enter a name of 1 to ${MAX_NAME_LENGTH} characters.`,
  nameTooLong: (kind: NamedKind, length: number) =>
    `The ${kind} name is ${length} characters long. A name can have at most ${MAX_NAME_LENGTH} characters.`,
  nameTaken: (kind: NamedKind, name: string) =>
    `A ${kind} named "${name}" already exists in this server. Choose a name no other ${kind} uses.`,
  notFound: (kind: NamedKind) => `This ${kind} no longer exists. Nothing was changed.`,
  changedMeanwhile: 'The list changed meanwhile. Nothing was changed; please try again.',
  pageFooter: (page: number, pages: number) => `Page ${page + 1} of ${pages}`,
} as const;

/** The one text field of the name modals. */
export const NAME_FIELD_ID = 'name' as const;

/**
 * The name field of a modal (what Discord enforces: 1 to 100 characters; the bot checks again after trimming).
 *
 * @param label - the field's label
 * @returns the field definition, for building and for reading the modal
 */
export function nameFields(label: string): readonly [ModalField & { readonly id: typeof NAME_FIELD_ID }] {
  return [{ id: NAME_FIELD_ID, label, required: true, minLength: 1, maxLength: MAX_NAME_LENGTH }];
}

/** A checked name, or what is wrong with it. */
export type NameCheck = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly error: string };

/**
 * Checks a typed name: trimmed, not empty, at most {@link MAX_NAME_LENGTH} characters.
 *
 * @param kind - what is named
 * @param typed - the value as submitted
 * @returns the clean name, or the error to show
 */
export function checkName(kind: NamedKind, typed: string): NameCheck {
  const name = typed.trim();
  if (name.length === 0) return { ok: false, error: AdminText.nameEmpty(kind) };
  if (name.length > MAX_NAME_LENGTH) return { ok: false, error: AdminText.nameTooLong(kind, name.length) };
  return { ok: true, name };
}

/**
 * The text for a refused administration operation.
 *
 * @param kind - what it was about
 * @param result - the refusal
 * @param name - the name given, for a duplicate
 * @returns the text to show
 */
export function refusalText(
  kind: NamedKind,
  result: Extract<AdminResult<unknown>, { ok: false }>,
  name?: string,
): string {
  switch (result.reason) {
    case 'duplicate-name':
      return AdminText.nameTaken(kind, name ?? '');
    case 'not-found':
      return AdminText.notFound(kind);
    case 'invalid': {
      // A name the repositories refused (the flows check it first), or a tag or location deleted meanwhile.
      const check = name === undefined ? undefined : checkName(kind, name);
      return check !== undefined && !check.ok ? check.error : AdminText.changedMeanwhile;
    }
  }
}

/**
 * A `custom_id` of Overall Management.
 *
 * @param action - the step or button
 * @param session - the session id
 * @param arg - an argument (a page, an id)
 * @returns `v1:admin:<action>:<session>[:<arg>]`
 */
export function adminId(action: string, session: string, arg?: string): string {
  return customId('admin', action, session, arg);
}

/** What the parts of Overall Management are given. */
export interface AdminKit {
  readonly deps: FlowDeps;
  /**
   * Refuses a member who is not (or no longer) an admin: shows {@link FlowText.adminOnly}.
   *
   * @param ctx - the interaction
   * @returns true when refused (the handler stops)
   */
  refuse(ctx: InteractionContext): Promise<boolean>;
  /** The main menu, with a notice above it. */
  menuScreen(session: AdminSession, notice?: string): Screen;
  /** A new session carrying on a finished one's state (after a final button), so that the menu stays usable. */
  resume(session: AdminSession): Promise<AdminSession>;
  /** A ← Back button to the main menu. */
  backToMenu(session: AdminSession): APIButtonComponentWithCustomId;
}

/**
 * Builds the shared parts.
 *
 * @param deps - the flows' parts
 * @returns the kit
 */
export function adminKit(deps: FlowDeps): AdminKit {
  return {
    deps,
    async refuse(ctx) {
      if (await isAdmin(deps, ctx)) return false;
      await ctx.show({ content: FlowText.adminOnly });
      return true;
    },
    menuScreen(session, notice) {
      const id = (action: string) => adminId(action, session.id);
      const menuRows: Row[] = rows(
        buttonRow(
          button(AdminText.addEquipmentLabel, id('equip-add'), ButtonStyle.Primary),
          button(AdminText.tagsLabel, id('tags')),
          button(AdminText.locationsLabel, id('locs')),
          button(AdminText.rolesLabel, id('roles')),
        ),
        buttonRow(button(AdminText.logLabel, id('log')), button(AdminText.exportLabel, id('export'))),
      );
      return { content: withNotice(notice, AdminText.menu), components: menuRows };
    },
    resume(session) {
      return deps.sessions.create<AdminState>('admin', session.userId, session.guildId, session.data);
    },
    backToMenu(session) {
      return button(BACK_LABEL, adminId('menu', session.id));
    },
  };
}
