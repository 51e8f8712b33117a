import { describe, expect, it } from 'vitest';
import { DuplicateNameError, InvalidNameError } from '../../src/db/errors.js';
import { repositories, type Repositories } from '../../src/db/repositories.js';
import { DIALECTS, HOUR, T0, useTestDatabase } from './harness.js';

const GUILD = '200000000000000001';
const OTHER_GUILD = '200000000000000002';

describe.each(DIALECTS)('%s repositories', (dialect) => {
  const t = useTestDatabase(dialect);
  const repos = (): Repositories => repositories(t.database.db, t.database.dialect);

  describe('guild settings', () => {
    it('defaults, then upserts the channel, the admin roles and the overdue period', async () => {
      const settings = repos().guildSettings;
      expect(await settings.get(GUILD)).toBeNull();
      expect(await settings.getOrDefault(GUILD)).toEqual({
        guildId: GUILD,
        reservationChannelId: null,
        adminRoleIds: [],
        overdueRepeatMinutes: 60,
      });
      await settings.setReservationChannel(GUILD, '300000000000000001', T0);
      await settings.setAdminRoleIds(GUILD, ['400000000000000001', '400000000000000002', '400000000000000001'], T0);
      const after = await settings.setOverdueRepeatMinutes(GUILD, 15, T0);
      expect(after).toEqual({
        guildId: GUILD,
        reservationChannelId: '300000000000000001',
        adminRoleIds: ['400000000000000001', '400000000000000002'],
        overdueRepeatMinutes: 15,
      });
      expect((await settings.listConfigured()).map((s) => s.guildId)).toEqual([GUILD]);
      await expect(settings.setOverdueRepeatMinutes(GUILD, 0, T0)).rejects.toThrow(/overdueRepeatMinutes is 0/);
    });
  });

  describe('tags', () => {
    it('creates in order, refuses duplicate names per guild, renames, reorders, deletes (items become untagged)', async () => {
      const { tags, equipment } = repos();
      const a = await tags.create(GUILD, ' Cameras ', T0);
      const b = await tags.create(GUILD, 'PCs', T0);
      expect([a.name, a.sortOrder, b.sortOrder]).toEqual(['Cameras', 1, 2]);
      await expect(tags.create(GUILD, 'PCs', T0)).rejects.toBeInstanceOf(DuplicateNameError);
      await expect(tags.create(GUILD, '   ', T0)).rejects.toBeInstanceOf(InvalidNameError);
      expect((await tags.create(OTHER_GUILD, 'PCs', T0)).guildId).toBe(OTHER_GUILD);
      await expect(tags.rename(a.id, 'PCs')).rejects.toMatchObject({ name: 'DuplicateNameError', kind: 'tag' });
      expect((await tags.rename(a.id, 'Video'))?.name).toBe('Video');
      expect(await tags.rename(999_999, 'x')).toBeNull();
      expect((await tags.reorder(GUILD, [b.id, a.id])).map((tag) => [tag.name, tag.sortOrder])).toEqual([
        ['PCs', 1],
        ['Video', 2],
      ]);
      await expect(tags.reorder(GUILD, [b.id])).rejects.toThrow(/Cannot reorder the tags/);
      const item = await equipment.create({ guildId: GUILD, name: 'Camera 1', tagId: a.id }, T0);
      expect((await tags.delete(a.id))?.id).toBe(a.id);
      expect((await equipment.get(item.id))?.tagId).toBeNull();
      expect((await tags.list(GUILD)).map((tag) => tag.name)).toEqual(['PCs']);
    });
  });

  describe('locations', () => {
    it('creates, lists by name, refuses duplicates, renames, deletes (items keep no location)', async () => {
      const { locations, equipment } = repos();
      const room = await locations.create(GUILD, 'Room 101', T0);
      await locations.create(GUILD, 'Locker', T0);
      await expect(locations.create(GUILD, 'Room 101', T0)).rejects.toMatchObject({ kind: 'location' });
      expect((await locations.list(GUILD)).map((location) => location.name)).toEqual(['Locker', 'Room 101']);
      await expect(locations.rename(room.id, 'Locker')).rejects.toBeInstanceOf(DuplicateNameError);
      expect((await locations.rename(room.id, 'Room 102'))?.name).toBe('Room 102');
      const item = await equipment.create(
        { guildId: GUILD, name: 'PC', currentLocationId: room.id, defaultReturnLocationId: room.id },
        T0,
      );
      await locations.delete(room.id);
      const after = await equipment.get(item.id);
      expect([after?.currentLocationId, after?.defaultReturnLocationId]).toEqual([null, null]);
      expect(await locations.get(room.id)).toBeNull();
    });
  });

  describe('equipment', () => {
    it('keeps names unique per guild with a typed error, on create and rename', async () => {
      const { equipment } = repos();
      const pc = await equipment.create({ guildId: GUILD, name: 'PC 1' }, T0);
      await equipment.create({ guildId: GUILD, name: 'PC 2' }, T0);
      const error = await equipment.create({ guildId: GUILD, name: ' PC 1 ' }, T0).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DuplicateNameError);
      expect(error).toMatchObject({ kind: 'equipment', guildId: GUILD, duplicateName: 'PC 1' });
      expect((error as Error).message).toBe(
        `The equipment name "PC 1" is already used in guild ${GUILD}: choose another name.`,
      );
      expect((await equipment.create({ guildId: OTHER_GUILD, name: 'PC 1' }, T0)).guildId).toBe(OTHER_GUILD);
      await expect(equipment.rename(pc.id, 'PC 2')).rejects.toBeInstanceOf(DuplicateNameError);
      expect((await equipment.rename(pc.id, 'PC 1'))?.name).toBe('PC 1');
      expect((await equipment.rename(pc.id, 'PC One'))?.name).toBe('PC One');
    });

    it('sets the tag, the unavailable flag and reason, the locations; lists and deletes', async () => {
      const { equipment, tags, locations } = repos();
      const tag = await tags.create(GUILD, 'VR', T0);
      const shelf = await locations.create(GUILD, 'Shelf', T0);
      const item = await equipment.create({ guildId: GUILD, name: 'Quest' }, T0);
      expect(item).toMatchObject({ tagId: null, unavailable: false, unavailableReason: null, createdAt: T0 });
      expect((await equipment.setTag(item.id, tag.id))?.tagId).toBe(tag.id);
      expect(await equipment.setUnavailable(item.id, true, ' broken strap ')).toMatchObject({
        unavailable: true,
        unavailableReason: 'broken strap',
      });
      expect(await equipment.setUnavailable(item.id, false, 'ignored')).toMatchObject({
        unavailable: false,
        unavailableReason: null,
      });
      expect(await equipment.setLocations(item.id, { defaultReturnLocationId: shelf.id })).toMatchObject({
        currentLocationId: null,
        defaultReturnLocationId: shelf.id,
      });
      expect(await equipment.setLocations(item.id, { currentLocationId: shelf.id })).toMatchObject({
        currentLocationId: shelf.id,
        defaultReturnLocationId: shelf.id,
      });
      await equipment.create({ guildId: GUILD, name: 'Camera' }, T0);
      expect((await equipment.list(GUILD)).map((e) => e.name)).toEqual(['Camera', 'Quest']);
      expect((await equipment.findByName(GUILD, 'Quest'))?.id).toBe(item.id);
      expect((await equipment.delete(item.id))?.name).toBe('Quest');
      expect(await equipment.get(item.id)).toBeNull();
      expect(await equipment.delete(item.id)).toBeNull();
    });

    it('deleting an item keeps its log entries (and their item id and name) but removes its reservations', async () => {
      const { equipment, logs, reservations } = repos();
      const item = await equipment.create({ guildId: GUILD, name: 'Projector' }, T0);
      const reservation = await reservations.insert(
        { equipmentId: item.id, userId: '5', startAt: T0 + HOUR, endAt: T0 + 2 * HOUR, locationId: null },
        T0,
      );
      await logs.append({ guildId: GUILD, equipment: item, userId: '5', action: 'reservation.created' }, T0);
      await equipment.delete(item.id);
      expect(await reservations.get(reservation.id)).toBeNull();
      const kept = await logs.list({ guildId: GUILD, equipmentId: item.id, from: 0, to: T0 + 1 });
      expect(kept.map((entry) => [entry.equipmentId, entry.equipmentName, entry.action])).toEqual([
        [item.id, 'Projector', 'reservation.created'],
      ]);
    });
  });

  describe('reservations', () => {
    it('lists the confirmed reservations starting or ending in a window, with their guild and item', async () => {
      const { equipment, reservations } = repos();
      const item = await equipment.create({ guildId: GUILD, name: 'Drone' }, T0);
      const add = (startAt: number, endAt: number) =>
        reservations.insert({ equipmentId: item.id, userId: '5', startAt, endAt, locationId: null }, T0);
      const a = await add(T0, T0 + HOUR);
      const b = await add(T0 + HOUR, T0 + 2 * HOUR);
      const c = await add(T0 + 2 * HOUR, T0 + 3 * HOUR);
      await reservations.setStatus(c.id, 'cancelled');
      const starting = await reservations.listStarting(T0 + 1, T0 + 3 * HOUR);
      expect(starting.map((r) => [r.id, r.guildId, r.equipmentName])).toEqual([[b.id, GUILD, 'Drone']]);
      expect((await reservations.listEnding(0, T0 + 2 * HOUR + 1)).map((r) => r.id)).toEqual([a.id, b.id]);
      await reservations.markReturned(a.id, { at: T0 + HOUR, locationId: null, by: '5' });
      expect((await reservations.listEnding(0, T0 + 2 * HOUR + 1)).map((r) => r.id)).toEqual([b.id]);
      expect((await reservations.listInPeriod(GUILD, T0, T0 + 3 * HOUR)).map((r) => r.status)).toEqual([
        'returned',
        'confirmed',
        'cancelled',
      ]);
      expect(await reservations.listInPeriod(OTHER_GUILD, T0, T0 + 3 * HOUR)).toEqual([]);
      expect(await reservations.nextConfirmed(item.id, T0, a.id)).toMatchObject({ id: b.id });
      expect(await equipment.countByTag(12345)).toBe(0);
    });
  });

  describe('logs', () => {
    it('lists an item or the whole guild in [from, to), newest first, with details', async () => {
      const { logs, equipment } = repos();
      const a = await equipment.create({ guildId: GUILD, name: 'A' }, T0);
      const b = await equipment.create({ guildId: GUILD, name: 'B' }, T0);
      await logs.append({ guildId: GUILD, equipment: a, userId: '1', action: 'equipment.created' }, T0);
      await logs.append({ guildId: GUILD, equipment: b, userId: '1', action: 'equipment.created' }, T0 + 1);
      await logs.append({ guildId: GUILD, userId: '1', action: 'tag.created', detail: { name: 'VR', n: 1 } }, T0 + 2);
      await logs.append({ guildId: GUILD, equipment: a, userId: '2', action: 'equipment.renamed' }, T0 + 3);
      await logs.append({ guildId: OTHER_GUILD, userId: '3', action: 'tag.created' }, T0 + 2);
      const all = await logs.list({ guildId: GUILD, from: T0, to: T0 + 4 });
      expect(all.map((entry) => entry.createdAt)).toEqual([T0 + 3, T0 + 2, T0 + 1, T0]);
      expect(all[1]).toMatchObject({ equipmentId: null, equipmentName: null, detail: { name: 'VR', n: 1 } });
      const ofA = await logs.list({ guildId: GUILD, equipmentId: a.id, from: T0, to: T0 + 3 });
      expect(ofA.map((entry) => entry.action)).toEqual(['equipment.created']);
      expect(await logs.list({ guildId: GUILD, from: T0 + 1, to: T0 + 3, limit: 1 })).toHaveLength(1);
    });
  });

  describe('sent reminders', () => {
    it('markSent is true once per reservation and kind (the unique key decides), across connections', async () => {
      const { equipment, reservations, sentReminders } = repos();
      const item = await equipment.create({ guildId: GUILD, name: 'Mic' }, T0);
      const reservation = await reservations.insert(
        { equipmentId: item.id, userId: '5', startAt: T0 + HOUR, endAt: T0 + 2 * HOUR, locationId: null },
        T0,
      );
      const other = await t.test.openAnother();
      const otherReminders = repositories(other.db, other.dialect).sentReminders;
      const results = await Promise.all([
        sentReminders.markSent(reservation.id, 'end-soon', T0),
        otherReminders.markSent(reservation.id, 'end-soon', T0),
      ]);
      expect(results.sort()).toEqual([false, true]);
      expect(await sentReminders.markSent(reservation.id, 'overdue:1', T0)).toBe(true);
      expect(await sentReminders.isSent(reservation.id, 'end-soon')).toBe(true);
      expect(await sentReminders.listKinds(reservation.id)).toEqual(['end-soon', 'overdue:1']);
      expect(await sentReminders.unmark(reservation.id, 'end-soon')).toBe(true);
      expect(await sentReminders.markSent(reservation.id, 'end-soon', T0)).toBe(true);
    });
  });
});
