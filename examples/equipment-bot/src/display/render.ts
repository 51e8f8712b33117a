import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from 'discord-api-types/v10';
import { formatJstRange } from '../domain/time.js';
import type { EquipmentView, Reservation } from '../domain/model.js';
import { customId } from '../discord/custom-id.js';

/** A message body the display keeps: what `MessageUpdateManager.sync` sends. */
export interface DisplayBody {
  readonly content?: string;
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIButtonComponent>[];
}

/** Embed colours by status (Discord's green, red, grey). */
const STATUS_COLOURS = { Available: 0x57f287, Loaned: 0xed4245, Unavailable: 0x95a5a6 } as const;
/** Upcoming reservations listed under an item (the rest are counted). */
const UPCOMING_SHOWN = 5;

/** Texts the display shows (English, as REFERENCE_BOT.md quotes them). */
export const DisplayText = {
  overallManagement: 'Overall Management',
  guideTitle: 'Please register equipment',
  guideDescription:
    'No equipment is registered yet. An administrator can add equipment, tags and locations with Overall Management.',
  headerTitle: 'Equipment reservations',
  headerDescription:
    'Reserve, return and hand over equipment with the buttons under each item. Administrators manage items, tags and locations with Overall Management.',
  newReservation: 'New Reservation',
  return: 'Return',
  checkChange: 'Check/Change Reservation',
  settings: "This Equipment's Settings",
  noReservations: 'No reservations',
  location: 'Location',
} as const;

/**
 * The header message on top of the channel: the guide "Please register equipment" while there is no item, then the
 * channel's title; both with the single Overall Management button.
 *
 * @param itemCount - how many items the channel shows
 * @returns the body
 */
export function renderHeader(itemCount: number): DisplayBody {
  const embed: APIEmbed =
    itemCount === 0
      ? { title: DisplayText.guideTitle, description: DisplayText.guideDescription, color: 0x5865f2 }
      : { title: DisplayText.headerTitle, description: DisplayText.headerDescription, color: 0x5865f2 };
  return {
    embeds: [embed],
    components: [
      {
        type: 1,
        components: [
          { type: 2, style: 2, label: DisplayText.overallManagement, custom_id: customId('admin', 'open', '-') },
        ],
      },
    ],
  };
}

/**
 * The status line of an item (scenario 8): `Available`, `Loaned (location) - User: <@id>`, `Unavailable: reason`.
 *
 * @param view - the item as it is now
 * @returns the line
 */
export function statusLine(view: EquipmentView): string {
  switch (view.status) {
    case 'Available':
      return 'Available';
    case 'Loaned': {
      const where = view.locationName === null ? '' : ` (${view.locationName})`;
      return `Loaned${where} - User: <@${view.currentLoan?.userId ?? '?'}>`;
    }
    case 'Unavailable':
      return `Unavailable: ${view.equipment.unavailableReason ?? 'no reason given'}`;
  }
}

/**
 * Where the item is, and where it goes back to, when either is known (scenarios 24 and 34): `Shelf A`,
 * `Shelf A · returns to Lab`, `Returns to Lab`.
 *
 * @param view - the item as it is now
 * @returns the field, or none
 */
function locationField(view: EquipmentView): { name: string; value: string }[] {
  const here = view.status === 'Loaned' ? null : view.locationName;
  const home = view.defaultReturnLocationName;
  if (here === null && home === null) return [];
  const value =
    here === null ? `Returns to ${home ?? ''}` : home === null || home === here ? here : `${here} · returns to ${home}`;
  return [{ name: DisplayText.location, value }];
}

function reservationLine(reservation: Reservation): string {
  return `<@${reservation.userId}> ${formatJstRange(reservation.startAt, reservation.endAt)}`;
}

/**
 * One item's message (scenario 8): `[Tag] Name`, its status, its current and upcoming reservations in JST, and the
 * four buttons.
 *
 * @param view - the item as it is now
 * @returns the body
 */
export function renderItem(view: EquipmentView): DisplayBody {
  const { equipment, tag } = view;
  const title = tag === null ? equipment.name : `[${tag.name}] ${equipment.name}`;
  const current = view.currentLoan === null ? 'None' : reservationLine(view.currentLoan);
  const shown = view.upcoming.slice(0, UPCOMING_SHOWN).map(reservationLine);
  const more = view.upcoming.length - shown.length;
  if (more > 0) shown.push(`… and ${more} more`);
  const embed: APIEmbed = {
    title,
    color: STATUS_COLOURS[view.status],
    fields: [
      { name: 'Status', value: statusLine(view) },
      { name: 'Current reservation', value: current },
      { name: 'Upcoming reservations', value: shown.length === 0 ? DisplayText.noReservations : shown.join('\n') },
      ...locationField(view),
    ],
  };
  const id = String(equipment.id);
  return {
    embeds: [embed],
    components: [
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: DisplayText.newReservation, custom_id: customId('reserve', 'open', '-', id) },
          { type: 2, style: 3, label: DisplayText.return, custom_id: customId('return', 'open', '-', id) },
          { type: 2, style: 2, label: DisplayText.checkChange, custom_id: customId('mine', 'open', '-', id) },
          { type: 2, style: 2, label: DisplayText.settings, custom_id: customId('item', 'open', '-', id) },
        ],
      },
    ],
  };
}
