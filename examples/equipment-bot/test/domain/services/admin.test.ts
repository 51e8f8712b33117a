import { describe, expect, it } from 'vitest';
import { repositories } from '../../../src/db/repositories.js';
import {
  createEquipment,
  deleteEquipment,
  forceState,
  previewForcedState,
  renameEquipment,
  setDefaultReturnLocation,
  setEquipmentTag,
} from '../../../src/domain/services/equipment-admin.js';
import {
  changeAdminRole,
  createLocation,
  createTag,
  deleteLocation,
  deleteTag,
  renameLocation,
  renameTag,
  reorderTags,
  setAdminRoles,
  setOverdueRepeatMinutes,
  setReservationChannel,
} from '../../../src/domain/services/guild-admin.js';
import { createReservation } from '../../../src/domain/services/reservations.js';
import { DIALECTS, HOUR, T0, useTestDatabase } from '../../db/harness.js';

const GUILD = '700000000000000001';
const ADMIN = '800000000000000001';
const ALICE = '500000000000000001';

describe.each(DIALECTS)('%s administration', (dialect) => {
  const t = useTestDatabase(dialect);
  const actions = async (): Promise<string[]> =>
    (await t.database.db.selectFrom('equipment_logs').select('action').orderBy('id').execute()).map(
      (row) => row.action,
    );

  function value<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
    if (!result.ok) throw new Error(`expected success, got ${result.reason}`);
    return result.value;
  }

  it('adds, renames (unique per guild), tags and relocates items, each logged', async () => {
    const tag = value(await createTag(t.database, { guildId: GUILD, actorId: ADMIN, name: 'VR' }, T0));
    const shelf = value(await createLocation(t.database, { guildId: GUILD, actorId: ADMIN, name: 'Shelf' }, T0));
    const quest = value(
      await createEquipment(
        t.database,
        { guildId: GUILD, actorId: ADMIN, name: 'Quest', tagId: tag.id, defaultReturnLocationId: shelf.id },
        T0,
      ),
    );
    expect(quest).toMatchObject({ tagId: tag.id, currentLocationId: shelf.id, defaultReturnLocationId: shelf.id });
    value(await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: 'Vive' }, T0));
    expect(await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: 'Vive' }, T0)).toMatchObject({
      ok: false,
      reason: 'duplicate-name',
    });
    expect(await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: '' }, T0)).toMatchObject({
      reason: 'invalid',
    });
    expect(
      await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: 'X', tagId: 999_999 }, T0),
    ).toMatchObject({
      reason: 'invalid',
    });
    const item = { guildId: GUILD, actorId: ADMIN, equipmentId: quest.id };
    expect(await renameEquipment(t.database, { ...item, name: 'Vive' }, T0)).toMatchObject({
      reason: 'duplicate-name',
    });
    expect(value(await renameEquipment(t.database, { ...item, name: 'Quest 3' }, T0)).name).toBe('Quest 3');
    expect(await renameEquipment(t.database, { ...item, guildId: 'other', name: 'Y' }, T0)).toMatchObject({
      reason: 'not-found',
    });
    expect(value(await setEquipmentTag(t.database, { ...item, tagId: null }, T0)).tagId).toBeNull();
    expect(
      value(await setDefaultReturnLocation(t.database, { ...item, locationId: null }, T0)).defaultReturnLocationId,
    ).toBeNull();
    expect(await actions()).toEqual([
      'tag.created',
      'location.created',
      'equipment.created',
      'equipment.created',
      'equipment.renamed',
      'equipment.tag-set',
      'equipment.locations-set',
    ]);
  });

  it('previews and forces states, cancelling the reservations in the way', async () => {
    const quest = value(await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: 'Quest' }, T0));
    const reserve = async (start: number) => {
      const result = await createReservation(
        t.database,
        {
          guildId: GUILD,
          equipmentId: quest.id,
          userId: ALICE,
          startAt: T0 + start,
          endAt: T0 + start + HOUR,
          locationId: null,
        },
        T0,
      );
      if (!result.ok) throw new Error('setup failed');
      return result.reservation;
    };
    const current = await reserve(0);
    const upcoming = await reserve(2 * HOUR);
    const now = T0 + HOUR / 2;
    const item = { guildId: GUILD, actorId: ADMIN, equipmentId: quest.id };
    expect((await previewForcedState(t.database, item, 'Available', now)).map((r) => r.id)).toEqual([current.id]);
    expect((await previewForcedState(t.database, item, 'Unavailable', now)).map((r) => r.id)).toEqual([
      current.id,
      upcoming.id,
    ]);
    const forced = value(await forceState(t.database, { ...item, state: 'Unavailable', reason: 'lens cracked' }, now));
    expect(forced.equipment).toMatchObject({ unavailable: true, unavailableReason: 'lens cracked' });
    expect(forced.cancelled.map((r) => [r.id, r.status])).toEqual([
      [current.id, 'cancelled'],
      [upcoming.id, 'cancelled'],
    ]);
    const back = value(await forceState(t.database, { ...item, state: 'Available' }, now));
    expect(back).toMatchObject({ equipment: { unavailable: false, unavailableReason: null }, cancelled: [] });
    expect((await actions()).filter((action) => action !== 'reservation.created')).toEqual([
      'equipment.created',
      'reservation.cancelled-by-admin',
      'reservation.cancelled-by-admin',
      'equipment.unavailable-set',
      'equipment.available-set',
    ]);
  });

  it("deletes an item with its reservations; its log survives, with the deletion's entry", async () => {
    const quest = value(await createEquipment(t.database, { guildId: GUILD, actorId: ADMIN, name: 'Quest' }, T0));
    const created = await createReservation(
      t.database,
      {
        guildId: GUILD,
        equipmentId: quest.id,
        userId: ALICE,
        startAt: T0 + HOUR,
        endAt: T0 + 2 * HOUR,
        locationId: null,
      },
      T0,
    );
    if (!created.ok) throw new Error('setup failed');
    const deleted = value(
      await deleteEquipment(t.database, { guildId: GUILD, actorId: ADMIN, equipmentId: quest.id }, T0 + 1),
    );
    expect(deleted.cancelled.map((r) => r.id)).toEqual([created.reservation.id]);
    const repos = repositories(t.database.db, t.database.dialect);
    expect(await repos.equipment.get(quest.id)).toBeNull();
    expect(await repos.reservations.get(created.reservation.id)).toBeNull();
    const log = await repos.logs.list({ guildId: GUILD, equipmentId: quest.id, from: T0, to: T0 + 2 });
    expect(log.map((entry) => [entry.action, entry.equipmentName])).toEqual([
      ['equipment.deleted', 'Quest'],
      ['reservation.created', 'Quest'],
      ['equipment.created', 'Quest'],
    ]);
    expect(
      await deleteEquipment(t.database, { guildId: GUILD, actorId: ADMIN, equipmentId: quest.id }, T0),
    ).toMatchObject({
      reason: 'not-found',
    });
  });

  it('manages tags, locations and settings', async () => {
    const g = { guildId: GUILD, actorId: ADMIN };
    const a = value(await createTag(t.database, { ...g, name: 'A' }, T0));
    const b = value(await createTag(t.database, { ...g, name: 'B' }, T0));
    expect(await createTag(t.database, { ...g, name: 'A' }, T0)).toMatchObject({ reason: 'duplicate-name' });
    expect(value(await renameTag(t.database, { ...g, tagId: a.id, name: 'Alpha' }, T0)).name).toBe('Alpha');
    expect(await renameTag(t.database, { ...g, tagId: a.id, name: 'B' }, T0)).toMatchObject({
      reason: 'duplicate-name',
    });
    expect(value(await reorderTags(t.database, { ...g, tagIds: [b.id, a.id] }, T0)).map((tag) => tag.name)).toEqual([
      'B',
      'Alpha',
    ]);
    expect(await reorderTags(t.database, { ...g, tagIds: [b.id, b.id] }, T0)).toMatchObject({ reason: 'invalid' });
    expect(value(await deleteTag(t.database, { ...g, tagId: b.id }, T0)).name).toBe('B');
    expect(await deleteTag(t.database, { ...g, tagId: b.id }, T0)).toMatchObject({ reason: 'not-found' });
    const room = value(await createLocation(t.database, { ...g, name: 'Room' }, T0));
    expect(value(await renameLocation(t.database, { ...g, locationId: room.id, name: 'Lab' }, T0)).name).toBe('Lab');
    expect(value(await deleteLocation(t.database, { ...g, locationId: room.id }, T0)).name).toBe('Lab');

    const first = value(await setReservationChannel(t.database, { ...g, channelId: '1' }, T0));
    expect(first.previousChannelId).toBeNull();
    const moved = value(await setReservationChannel(t.database, { ...g, channelId: '2' }, T0));
    expect(moved).toMatchObject({ previousChannelId: '1', settings: { reservationChannelId: '2' } });
    value(await setAdminRoles(t.database, { ...g, roleIds: ['10', '11'] }, T0));
    value(await changeAdminRole(t.database, { ...g, roleId: '12', change: 'add' }, T0));
    const roles = value(await changeAdminRole(t.database, { ...g, roleId: '10', change: 'remove' }, T0));
    expect(roles.adminRoleIds).toEqual(['11', '12']);
    expect(value(await setOverdueRepeatMinutes(t.database, { ...g, minutes: 30 }, T0)).overdueRepeatMinutes).toBe(30);
    expect(await setOverdueRepeatMinutes(t.database, { ...g, minutes: 1.5 }, T0)).toMatchObject({ reason: 'invalid' });
    expect((await actions()).length).toBe(14);
  });
});
