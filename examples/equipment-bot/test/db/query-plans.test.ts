/**
 * The hot queries use the indexes of migration 002: checked with `EXPLAIN QUERY PLAN` (SQLite) and
 * `EXPLAIN (FORMAT JSON)` (Postgres) on a database large enough (5,000 items, 20,000 reservations, 10,000 jobs,
 * 20,000 log entries, ANALYZEd) that the planner would rather scan a table than use a useless index.
 */
import { sql, type Compilable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotDatabase } from '../../src/db/database.js';
import { dueJobsQuery } from '../../src/db/job-repository.js';
import { logsQuery } from '../../src/db/log-repository.js';
import {
  overlappingReservationsQuery,
  reservationsEndingQuery,
  reservationsInPeriodQuery,
  reservationsStartingQuery,
} from '../../src/db/reservation-repository.js';
import { dueTransfersQuery } from '../../src/db/transfer-repository.js';
import {
  confirmedReservationsQuery,
  equipmentByStatusQuery,
  equipmentListingQuery,
} from '../../src/domain/services/equipment-views.js';
import { migrateToLatest } from '../../src/db/migrations/index.js';
import { createTestDatabase, DIALECTS, HOUR, T0, type TestDatabase } from './harness.js';

const GUILDS = 50;
const ITEMS_PER_GUILD = 100;
const DAY = 24 * HOUR;
const guildId = (index: number): string => `90000000000000${String(index).padStart(4, '0')}`;

/** What a plan shows: the indexes it reads and the tables it scans whole. */
interface PlanSummary {
  readonly indexes: string[];
  readonly fullScans: string[];
  readonly text: string;
}

async function explain(database: BotDatabase, query: Compilable): Promise<PlanSummary> {
  const compiled = query.compile();
  if (database.dialect === 'sqlite') {
    const rows = database.database.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.parameters) as {
      detail: string;
    }[];
    const details = rows.map((row) => row.detail);
    return {
      indexes: details.flatMap((detail) => [...detail.matchAll(/USING (?:COVERING )?INDEX (\w+)/g)].map((m) => m[1]!)),
      fullScans: details.flatMap((detail) => {
        const scan = /^SCAN (\w+)(?: AS \w+)?$/.exec(detail) ?? /^SCAN (\w+)$/.exec(detail);
        return scan === null ? [] : [scan[1]!];
      }),
      text: details.join('\n'),
    };
  }
  const result = await database.pool.query<{ 'QUERY PLAN': { Plan: PgPlan }[] }>(
    `EXPLAIN (FORMAT JSON) ${compiled.sql}`,
    [...compiled.parameters],
  );
  const root = result.rows[0]!['QUERY PLAN'][0]!.Plan;
  const indexes: string[] = [];
  const fullScans: string[] = [];
  const walk = (plan: PgPlan): void => {
    if (plan['Index Name'] !== undefined) indexes.push(plan['Index Name']);
    if (plan['Node Type'] === 'Seq Scan' && plan['Relation Name'] !== undefined) fullScans.push(plan['Relation Name']);
    for (const child of plan.Plans ?? []) walk(child);
  };
  walk(root);
  return { indexes, fullScans, text: JSON.stringify(root, null, 1) };
}

interface PgPlan {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PgPlan[];
}

/** Fills the database: the same rows on both dialects. */
async function seed(database: BotDatabase): Promise<void> {
  const { db } = database;
  const chunks = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> => {
    for (let index = 0; index < rows.length; index += 500) await insert(rows.slice(index, index + 500));
  };
  await database.transaction(async (trx) => {
    const tagIds: number[][] = [];
    for (let g = 0; g < GUILDS; g += 1) {
      const rows = await trx
        .insertInto('tags')
        .values([0, 1, 2, 3, 4].map((n) => ({ guild_id: guildId(g), name: `Tag ${n}`, sort_order: n, created_at: T0 })))
        .returning('id')
        .execute();
      tagIds.push(rows.map((row) => row.id));
    }
    const items = [];
    for (let g = 0; g < GUILDS; g += 1) {
      for (let i = 0; i < ITEMS_PER_GUILD; i += 1) {
        items.push({
          guild_id: guildId(g),
          name: `Item ${i}`,
          tag_id: i % 6 === 5 ? null : tagIds[g]![i % 5]!,
          unavailable: i % 20 === 0 ? 1 : 0,
          created_at: T0 + i,
        });
      }
    }
    await chunks(items, (chunk) => trx.insertInto('equipment').values(chunk).execute());
    const equipmentIds = (await trx.selectFrom('equipment').select('id').orderBy('id').execute()).map((row) => row.id);
    const reservations = equipmentIds.flatMap((equipmentId, e) =>
      [0, 1, 2, 3].map((k) => {
        const startAt = T0 + (((e * 4 + k) * 7919) % 365) * DAY + k * HOUR;
        return {
          equipment_id: equipmentId,
          user_id: `7000000000000${String((e * 4 + k) % 400).padStart(5, '0')}`,
          start_at: startAt,
          end_at: startAt + 2 * HOUR,
          status: k < 3 ? ('returned' as const) : ('confirmed' as const),
          created_at: T0,
        };
      }),
    );
    await chunks(reservations, (chunk) => trx.insertInto('reservations').values(chunk).execute());
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({
      type: ['reminder', 'render', 'transfer-expiry', 'overdue'][i % 4]!,
      payload: '{}',
      run_at: T0 + i * 60_000,
      status: i % 20 === 0 ? ('pending' as const) : ('done' as const),
      dedupe_key: `seed:${i}`,
      created_at: T0,
      updated_at: T0,
    }));
    await chunks(jobs, (chunk) => trx.insertInto('jobs').values(chunk).execute());
    const logs = Array.from({ length: 20_000 }, (_, i) => ({
      guild_id: guildId(i % GUILDS),
      equipment_id: equipmentIds[i % equipmentIds.length]!,
      equipment_name: 'Item',
      user_id: '1',
      action: 'reservation.created',
      created_at: T0 + i * 60_000,
    }));
    await chunks(logs, (chunk) => trx.insertInto('equipment_logs').values(chunk).execute());
    const reservationIds = (await trx.selectFrom('reservations').select('id').orderBy('id').limit(2000).execute()).map(
      (row) => row.id,
    );
    const transfers = reservationIds.map((reservationId, i) => ({
      reservation_id: reservationId,
      from_user_id: '1',
      to_user_id: '2',
      status: i % 50 === 0 ? ('pending' as const) : ('approved' as const),
      created_at: T0,
      expires_at: T0 + i * 60_000,
    }));
    await chunks(transfers, (chunk) => trx.insertInto('transfer_requests').values(chunk).execute());
  });
  await sql`ANALYZE`.execute(db);
}

/**
 * Indexes leading with `equipment.guild_id`. For "a guild's items" they are equivalent (the planners pick the
 * smallest, or the one whose order saves a sort), so the tests accept any of them.
 */
const GUILD_ITEM_INDEXES = ['idx_equipment_composite', 'idx_equipment_guild_status', 'equipment_guild_name_uq'];

/**
 * The indexes that find confirmed reservations without reading the others: the two partial indexes (each holds
 * exactly the confirmed rows) and (equipment_id, status). To read *all* confirmed reservations of a guild's items any
 * of them serves — Postgres reads a partial index whole, SQLite probes per item — so the tests accept each.
 */
const CONFIRMED_INDEXES = [
  'idx_reservations_confirmed',
  'idx_reservations_confirmed_end',
  'idx_reservations_equipment_status',
];

/**
 * A hot query: what it is, how to build it, the indexes its plan must use (a name: that index; a list: one of
 * them), the tables it must not scan whole.
 */
type PlanCase = readonly [
  what: string,
  build: (database: BotDatabase, itemId: number) => Compilable,
  indexes: readonly (string | readonly string[])[],
  noFullScan: readonly string[],
];

const NOW = T0 + 180 * DAY;

const CASES: readonly PlanCase[] = [
  [
    'equipment listing for a guild',
    ({ db }) => equipmentListingQuery(db, { guildId: guildId(7) }),
    [GUILD_ITEM_INDEXES],
    ['equipment'],
  ],
  [
    'reservations of an item in a time range (the overlap check)',
    ({ db }, itemId) => overlappingReservationsQuery(db, itemId, NOW, NOW + 2 * HOUR),
    ['idx_reservations_confirmed'],
    ['reservations'],
  ],
  [
    'derived status: the confirmed reservations of a guild (listEquipmentViews)',
    ({ db }) => confirmedReservationsQuery(db, { guildId: guildId(7) }),
    [CONFIRMED_INDEXES, GUILD_ITEM_INDEXES],
    ['reservations', 'equipment'],
  ],
  [
    'derived status: the Loaned items of a guild',
    ({ db }) => equipmentByStatusQuery(db, guildId(7), 'Loaned', NOW),
    [GUILD_ITEM_INDEXES, 'idx_reservations_confirmed'],
    ['reservations', 'equipment'],
  ],
  [
    'derived status: the Unavailable items of a guild',
    ({ db }) => equipmentByStatusQuery(db, guildId(7), 'Unavailable', NOW),
    ['idx_equipment_guild_status'],
    ['equipment'],
  ],
  [
    'the items of a tag (what deleting it untags)',
    ({ db }) =>
      db
        .selectFrom('equipment')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('tag_id', '=', 42),
    ['idx_equipment_tag_status'],
    ['equipment'],
  ],
  [
    'due jobs (claim)',
    ({ db, dialect }) => dueJobsQuery(db, dialect, T0 + 5 * DAY, 50),
    ['idx_jobs_status_run_at'],
    ['jobs'],
  ],
  [
    'jobs of a type and status',
    ({ db }) => db.selectFrom('jobs').select('id').where('type', '=', 'overdue').where('status', '=', 'pending'),
    ['idx_jobs_type_status'],
    ['jobs'],
  ],
  [
    "a user's reservations of an item, any status (history)",
    ({ db }, itemId) =>
      db
        .selectFrom('reservations')
        .selectAll()
        .where('user_id', '=', '700000000000000012')
        .where('equipment_id', '=', itemId)
        .where('status', '=', 'returned'),
    [['idx_reservations_user_equipment_status', 'idx_reservations_equipment_status']],
    ['reservations'],
  ],
  [
    "an item's returned reservations (history)",
    ({ db }, itemId) =>
      db.selectFrom('reservations').selectAll().where('equipment_id', '=', itemId).where('status', '=', 'returned'),
    ['idx_reservations_equipment_status'],
    ['reservations'],
  ],
  [
    "a user's reservations of every item",
    ({ db }) => db.selectFrom('reservations').selectAll().where('user_id', '=', '700000000000000012'),
    ['idx_reservations_user_equipment_status'],
    ['reservations'],
  ],
  [
    "a guild's reservations starting in a period (CSV export)",
    ({ db }) => reservationsInPeriodQuery(db, guildId(7), NOW, NOW + DAY),
    [['idx_reservations_time_range', 'idx_reservations_equipment_status']],
    ['reservations'],
  ],
  [
    'reservations starting in the next minute (time-driven re-render)',
    ({ db }) => reservationsStartingQuery(db, NOW, NOW + 60_000),
    ['idx_reservations_time_range'],
    ['reservations'],
  ],
  [
    'loans ending in the next 15 minutes (reminders)',
    ({ db }) => reservationsEndingQuery(db, NOW, NOW + 15 * 60_000),
    ['idx_reservations_confirmed_end'],
    ['reservations'],
  ],
  [
    "an item's log in a period",
    ({ db }, itemId) => logsQuery(db, { guildId: guildId(7), equipmentId: itemId, from: T0, to: T0 + 30 * DAY }),
    ['idx_equipment_logs_equipment_time'],
    ['equipment_logs'],
  ],
  [
    "a guild's log in a period",
    ({ db }) => logsQuery(db, { guildId: guildId(7), from: T0, to: T0 + DAY }),
    ['idx_equipment_logs_guild_time'],
    ['equipment_logs'],
  ],
  [
    'transfer requests to expire',
    ({ db }) => dueTransfersQuery(db, T0 + DAY),
    ['idx_transfer_requests_pending_expires'],
    ['transfer_requests'],
  ],
];

describe.each(DIALECTS)('%s query plans', (dialect) => {
  let test: TestDatabase | undefined;
  let itemId = 0;

  let setupError: unknown;

  beforeAll(async () => {
    try {
      test = await createTestDatabase(dialect);
      await migrateToLatest(test.database);
      await seed(test.database);
      const item = await test.database.db
        .selectFrom('equipment')
        .select('id')
        .where('guild_id', '=', guildId(7))
        .where('name', '=', 'Item 3')
        .executeTakeFirstOrThrow();
      itemId = item.id;
    } catch (error) {
      // Rethrown by every test: they fail (with "PostgreSQL is not reachable ... Start it") rather than skip.
      setupError = error;
    }
  }, 120_000);

  afterAll(async () => {
    await test?.cleanup();
  });

  it.each(CASES)('%s', async (what, build, indexes, noFullScan) => {
    if (setupError !== undefined) throw setupError;
    if (test === undefined) throw new Error('the seeded database is missing (beforeAll failed)');
    const plan = await explain(test.database, build(test.database, itemId));
    const context = `${what} (${dialect}) — plan:\n${plan.text}`;
    for (const expected of indexes) {
      const anyOf = typeof expected === 'string' ? [expected] : expected;
      expect(
        anyOf.some((index) => plan.indexes.includes(index)),
        `${context}\nexpected one of ${anyOf.join(', ')}`,
      ).toBe(true);
    }
    for (const table of noFullScan) expect(plan.fullScans, context).not.toContain(table);
  });
});
