import { describe, expect, it } from 'vitest';
import type { EquipmentView, Reservation } from '../../src/domain/model.js';
import { DisplayText, renderHeader, renderItem, statusLine } from '../../src/display/render.js';

const equipment = {
  id: 7,
  guildId: '1100000000000000000',
  name: 'Camera',
  tagId: 1,
  unavailable: false,
  unavailableReason: null,
  currentLocationId: null,
  defaultReturnLocationId: null,
  createdAt: 0,
};

function reservation(userId: string, startIso: string, endIso: string): Reservation {
  return {
    id: 1,
    equipmentId: 7,
    userId,
    startAt: Date.parse(startIso),
    endAt: Date.parse(endIso),
    locationId: null,
    status: 'confirmed',
    returnedAt: null,
    returnLocationId: null,
    returnedBy: null,
    createdAt: 0,
  };
}

function view(overrides: Partial<EquipmentView>): EquipmentView {
  return {
    equipment,
    tag: { id: 1, guildId: equipment.guildId, name: 'Video', sortOrder: 1 },
    status: 'Available',
    currentLoan: null,
    locationName: null,
    defaultReturnLocationName: null,
    upcoming: [],
    ...overrides,
  };
}

describe('renderItem (scenario 8)', () => {
  it('titles the embed [Tag] Name, shows the status and the reservations in JST, and has the four buttons', () => {
    const loan = reservation('1200000000000000001', '2026-12-01T01:00:00Z', '2026-12-01T03:00:00Z');
    const next = reservation('1200000000000000002', '2026-12-02T15:30:00Z', '2026-12-02T16:00:00Z');
    const body = renderItem(view({ status: 'Loaned', currentLoan: loan, locationName: 'Room 2', upcoming: [next] }));
    const embed = body.embeds[0]!;
    expect(embed.title).toBe('[Video] Camera');
    expect(embed.fields?.[0]).toEqual({ name: 'Status', value: 'Loaned (Room 2) - User: <@1200000000000000001>' });
    expect(embed.fields?.[1]?.value).toContain('<@1200000000000000001> 2026/12/01 10:00');
    expect(embed.fields?.[2]?.value).toContain('<@1200000000000000002> 2026/12/03 00:30');
    expect(body.components[0]!.components.map((button) => ('label' in button ? button.label : ''))).toEqual([
      DisplayText.newReservation,
      DisplayText.return,
      DisplayText.checkChange,
      DisplayText.settings,
    ]);
    for (const button of body.components[0]!.components) {
      expect('custom_id' in button && button.custom_id.length <= 100).toBe(true);
    }
  });

  it('writes Available, and Unavailable with its reason; an untagged item has no [Tag]', () => {
    expect(statusLine(view({}))).toBe('Available');
    const broken = view({
      status: 'Unavailable',
      equipment: { ...equipment, unavailable: true, unavailableReason: 'lens broken' },
    });
    expect(statusLine(broken)).toBe('Unavailable: lens broken');
    expect(renderItem(view({ tag: null })).embeds[0]!.title).toBe('Camera');
  });

  it('adds where the item is and where it returns to, when known (not the loan’s place while Loaned)', () => {
    const location = (overrides: Partial<EquipmentView>) =>
      renderItem(view(overrides)).embeds[0]!.fields!.find((field) => field.name === 'Location')?.value;
    expect(location({})).toBeUndefined();
    expect(location({ locationName: 'Shelf A' })).toBe('Shelf A');
    expect(location({ locationName: 'Shelf A', defaultReturnLocationName: 'Lab' })).toBe('Shelf A · returns to Lab');
    expect(location({ locationName: 'Lab', defaultReturnLocationName: 'Lab' })).toBe('Lab');
    expect(location({ defaultReturnLocationName: 'Lab' })).toBe('Returns to Lab');
    expect(location({ status: 'Loaned', locationName: 'Studio', defaultReturnLocationName: 'Lab' })).toBe(
      'Returns to Lab',
    );
  });
});

describe('renderHeader', () => {
  it('is the "Please register equipment" guide while there is no item, with the single Overall Management button', () => {
    const guide = renderHeader(0);
    expect(guide.embeds[0]!.title).toBe('Please register equipment');
    expect(guide.components).toHaveLength(1);
    expect(guide.components[0]!.components).toHaveLength(1);
    expect(guide.components[0]!.components[0]).toMatchObject({ label: 'Overall Management' });
    expect(renderHeader(3).embeds[0]!.title).not.toBe('Please register equipment');
  });
});
