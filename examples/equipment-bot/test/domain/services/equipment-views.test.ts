import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { repositories } from '../../../src/db/repositories.js';
import {
  getEquipmentView,
  listEquipmentByStatus,
  listEquipmentViews,
} from '../../../src/domain/services/equipment-views.js';
import { createReservation } from '../../../src/domain/services/reservations.js';
import { DIALECTS, HOUR, T0, useTestDatabase } from '../../db/harness.js';

const GUILD = '600000000000000001';
const ALICE = '500000000000000001';
const BOB = '500000000000000002';

/** Counts the queries run through it. */
class QueryCounter implements KyselyPlugin {
  public count = 0;
  public transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count += 1;
    return args.node;
  }
  public async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe.each(DIALECTS)('%s equipment views', (dialect) => {
  const t = useTestDatabase(dialect);

  async function world() {
    const repos = repositories(t.database.db, t.database.dialect);
    const tagB = await repos.tags.create(GUILD, 'B', T0, 2);
    const tagA = await repos.tags.create(GUILD, 'A', T0, 1);
    const room = await repos.locations.create(GUILD, 'Room', T0);
    const lab = await repos.locations.create(GUILD, 'Lab', T0);
    const make = (name: string, tagId: number | null) =>
      repos.equipment.create(
        { guildId: GUILD, name, tagId, currentLocationId: room.id, defaultReturnLocationId: room.id },
        T0,
      );
    const items = {
      b1: await make('Camera', tagB.id),
      a10: await make('PC 10', tagA.id),
      a2: await make('PC 2', tagA.id),
      loose: await make('Adapter', null),
    };
    await repos.equipment.create({ guildId: '999', name: 'Other guild', tagId: null }, T0);
    return { repos, tagA, tagB, room, lab, items };
  }

  it('sorts by tag order then name (numeric), untagged last', async () => {
    await world();
    const views = await listEquipmentViews(t.database.db, GUILD, T0);
    expect(views.map((view) => `${view.tag?.name ?? '-'}:${view.equipment.name}`)).toEqual([
      'A:PC 2',
      'A:PC 10',
      'B:Camera',
      '-:Adapter',
    ]);
    expect(views.every((view) => view.status === 'Available' && view.currentLoan === null)).toBe(true);
    expect(views[0]?.tag).toMatchObject({ name: 'A', sortOrder: 1, guildId: GUILD });
    expect(views[0]?.locationName).toBe('Room');
  });

  it('derives Loaned (started, also overdue), Unavailable (flag), Available; upcoming soonest first', async () => {
    const { repos, lab, items } = await world();
    const reserve = async (
      equipmentId: number,
      userId: string,
      start: number,
      end: number,
      locationId: number | null,
    ) => {
      const result = await createReservation(
        t.database,
        { guildId: GUILD, equipmentId, userId, startAt: T0 + start, endAt: T0 + end, locationId },
        T0,
      );
      if (!result.ok) throw new Error(`setup failed: ${result.reason}`);
      return result.reservation;
    };
    const loan = await reserve(items.a2.id, ALICE, 0, HOUR, lab.id);
    const later = await reserve(items.a2.id, BOB, 5 * HOUR, 6 * HOUR, null);
    const sooner = await reserve(items.a2.id, BOB, 2 * HOUR, 3 * HOUR, null);
    await reserve(items.b1.id, BOB, 4 * HOUR, 5 * HOUR, null);
    await repos.equipment.setUnavailable(items.loose.id, true, 'lost');

    const at = async (now: number) => {
      const views = await listEquipmentViews(t.database.db, GUILD, now);
      return new Map(views.map((view) => [view.equipment.name, view]));
    };
    let views = await at(T0 + HOUR / 2);
    expect(views.get('PC 2')).toMatchObject({ status: 'Loaned', currentLoan: { id: loan.id }, locationName: 'Lab' });
    expect(views.get('PC 2')?.upcoming.map((r) => r.id)).toEqual([sooner.id, later.id]);
    expect(views.get('Camera')).toMatchObject({ status: 'Available', currentLoan: null, locationName: 'Room' });
    expect(views.get('Camera')?.upcoming).toHaveLength(1);
    expect(views.get('Adapter')).toMatchObject({ status: 'Unavailable', equipment: { unavailableReason: 'lost' } });
    expect(views.get('PC 10')?.status).toBe('Available');

    // Overdue: past its end, not returned, still Loaned by Alice — even once the next reservation has started.
    views = await at(T0 + 2 * HOUR + 1);
    expect(views.get('PC 2')).toMatchObject({ status: 'Loaned', currentLoan: { id: loan.id, userId: ALICE } });
    // Bob's 2 h reservation has started but waits for Alice's return: it stays listed.
    expect(views.get('PC 2')?.upcoming.map((r) => r.id)).toEqual([sooner.id, later.id]);

    await repos.reservations.markReturned(loan.id, { at: T0 + HOUR, locationId: lab.id, by: ALICE });
    expect((await at(T0 + HOUR + 1)).get('PC 2')).toMatchObject({ status: 'Available', currentLoan: null });

    const single = await getEquipmentView(t.database.db, items.a2.id, T0 + 2 * HOUR);
    expect(single).toMatchObject({ status: 'Loaned', currentLoan: { id: sooner.id }, tag: { name: 'A' } });
    expect(await getEquipmentView(t.database.db, 999_999, T0)).toBeNull();

    const names = async (status: 'Available' | 'Loaned' | 'Unavailable') =>
      (await listEquipmentByStatus(t.database.db, GUILD, status, T0 + 2 * HOUR)).map((item) => item.name);
    expect(await names('Loaned')).toEqual(['PC 2']);
    expect(await names('Unavailable')).toEqual(['Adapter']);
    expect(await names('Available')).toEqual(['Camera', 'PC 10']);
  });

  it('runs two queries whatever the number of items (no N+1), also inside a read transaction', async () => {
    const { items } = await world();
    const repos = repositories(t.database.db, t.database.dialect);
    for (let index = 0; index < 25; index += 1) {
      const item = await repos.equipment.create({ guildId: GUILD, name: `Item ${index}` }, T0);
      await repos.reservations.insert(
        { equipmentId: item.id, userId: ALICE, startAt: T0, endAt: T0 + HOUR, locationId: null },
        T0,
      );
    }
    await repos.reservations.insert(
      { equipmentId: items.a2.id, userId: ALICE, startAt: T0 + HOUR, endAt: T0 + 2 * HOUR, locationId: null },
      T0,
    );
    const counter = new QueryCounter();
    const views = await listEquipmentViews(t.database.db.withPlugin(counter), GUILD, T0);
    expect(views).toHaveLength(29);
    expect(counter.count).toBe(2);
    const snapshot = await t.database.readTransaction((trx) => listEquipmentViews(trx, GUILD, T0));
    expect(snapshot).toEqual(views);
  });
});
