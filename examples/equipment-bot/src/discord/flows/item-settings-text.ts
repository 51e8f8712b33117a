/**
 * The texts of the per-item settings (scenarios 32–35), and the modal fields its forms are built and parsed from.
 *
 * @module
 */
import { MAX_NAME_LENGTH } from '../../db/errors.js';
import { PAGE_LABELS, type ModalField } from '../interactions/ui.js';

/** Longest reason an administrator can give for Unavailable (shown as "Unavailable: reason" in the embed). */
export const MAX_REASON_LENGTH = 200;

const mentions = (userIds: readonly string[]): string => userIds.map((id) => `<@${id}>`).join(', ');

/** Every text the per-item settings show (English; the quoted texts of REFERENCE_BOT.md exactly). */
export const ItemSettingsText = {
  menu: (title: string, status: string, tag: string, location: string) =>
    `**Settings: ${title}**\nStatus: ${status}\nTag: ${tag}\nDefault return location: ${location}`,
  noTag: 'No tag',
  noLocation: 'No default location',
  changeStateLabel: 'Change State',
  editReasonLabel: 'Edit Unavailable Reason',
  renameLabel: 'Rename',
  tagLabel: 'Assign Tag',
  locationLabel: 'Default Return Location',
  logLabel: 'Log',
  deleteLabel: 'Delete',

  state: (name: string, status: string) =>
    `Force a state on **${name}** (now: ${status}).\nAvailable ends a loan in progress; Unavailable asks for a reason and deletes every reservation of the item.`,
  availableLabel: 'Available',
  unavailableLabel: 'Unavailable',
  forceConfirm: 'The following reservations will be automatically deleted. Proceed?',
  forceListChanged: 'The reservations changed since you looked. Check the list again.',
  more: (count: number) => `… and ${count} more`,
  proceedLabel: 'Proceed',
  forcedAvailable: (name: string) => `**${name}** is now Available.`,
  forcedUnavailable: (name: string, reason: string) => `**${name}** is now Unavailable: ${reason}`,
  deletedReservations: (count: number) =>
    count === 1
      ? '1 reservation was deleted; its owner was told.'
      : `${count} reservations were deleted; their owners were told.`,
  notDelivered: (userIds: readonly string[]) =>
    `I could not send a direct message to ${mentions(userIds)}: please tell them yourself.`,

  reasonModalTitle: 'Unavailable reason',
  emptyReason: `The reason is empty. Enter 1 to ${MAX_REASON_LENGTH} characters saying why the item is unavailable.`,
  longReason: (length: number) =>
    `The reason is ${length} characters long. A reason may have at most ${MAX_REASON_LENGTH} characters.`,

  renameModalTitle: 'Rename equipment',
  emptyName: `The name is empty. Enter a name of 1 to ${MAX_NAME_LENGTH} characters.`,
  longName: (length: number) =>
    `The name is ${length} characters long. A name may have at most ${MAX_NAME_LENGTH} characters.`,
  duplicateName: (name: string) =>
    `Another item of this server is already named "${name}". Choose a name that no other item uses.`,
  sameName: 'That is already its name: nothing was changed.',
  renamed: (previous: string, name: string) => `Renamed "${previous}" to "${name}".`,
  tryAgainLabel: 'Try Again',

  tagChoice: (name: string, tag: string) => `Choose the tag of **${name}** (now: ${tag}), then Save.`,
  tagPlaceholder: 'Tag',
  tagSet: (name: string, tag: string) => `**${name}** now has the tag: ${tag}.`,
  locationChoice: (name: string, location: string) =>
    `Choose where **${name}** is returned by default (now: ${location}), then Save.`,
  locationPlaceholder: 'Default return location',
  locationSet: (name: string, location: string) => `The default return location of **${name}** is now: ${location}.`,
  noLocations: 'This server has no locations yet. An administrator can add them with Overall Management.',
  notUsable: 'That choice no longer exists (it was deleted meanwhile). Choose again.',
  unchanged: 'Nothing was changed.',
  page: (page: number, pages: number) => `Page ${page} of ${pages}.`,
  saveLabel: 'Save',
  previousLabel: PAGE_LABELS.previous,
  nextLabel: PAGE_LABELS.next,

  deleteConfirm: (name: string, reservations: number) =>
    `Delete **${name}**? This cannot be undone. ${
      reservations === 0
        ? 'It has no reservations.'
        : `Its ${reservations === 1 ? 'reservation is' : `${reservations} reservations are`} deleted with it (the owners are told).`
    } Its log is kept.`,
  confirmDeleteLabel: 'Yes, Delete',
  deleted: (name: string) => `Deleted **${name}**. Its log is kept in Overall Management.`,

  dmUnavailable: (item: string, range: string, reason: string) =>
    `Your reservation of ${item} (${range} JST) was deleted: an administrator made the item unavailable (${reason}).`,
  dmAvailable: (item: string, range: string) =>
    `Your reservation of ${item} (${range} JST) was deleted: an administrator reset the item to Available.`,
  dmDeleted: (item: string, range: string) =>
    `Your reservation of ${item} (${range} JST) was deleted: an administrator removed the item.`,
} as const;

/** The field of the Unavailable-reason modal. */
export const REASON_FIELDS = [
  {
    id: 'reason',
    label: 'Why is it unavailable?',
    style: 'paragraph',
    maxLength: MAX_REASON_LENGTH,
    placeholder: 'e.g. Broken screen, being repaired',
  },
] as const satisfies readonly ModalField[];

/**
 * The field of the rename modal. Its `max_length` is the name limit, so Discord stops the typing there; the bot
 * checks again after trimming (a submission is not trusted).
 */
export const RENAME_FIELDS = [
  { id: 'name', label: 'New name', maxLength: MAX_NAME_LENGTH },
] as const satisfies readonly ModalField[];

/**
 * Checks an item name as typed in the rename modal.
 *
 * @param name - the submitted value (already trimmed by `readModal`)
 * @returns the error to show, or `null` when the name can be used (its uniqueness is checked by the service)
 */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return ItemSettingsText.emptyName;
  if (trimmed.length > MAX_NAME_LENGTH) return ItemSettingsText.longName(trimmed.length);
  return null;
}

/**
 * Checks an Unavailable reason as typed in its modal.
 *
 * @param reason - the submitted value (already trimmed by `readModal`)
 * @returns the error to show, or `null` when it can be used
 */
export function reasonProblem(reason: string): string | null {
  const trimmed = reason.trim();
  if (trimmed.length === 0) return ItemSettingsText.emptyReason;
  if (trimmed.length > MAX_REASON_LENGTH) return ItemSettingsText.longReason(trimmed.length);
  return null;
}
