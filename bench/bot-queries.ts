/**
 * Bench part 8: the reference bot (`examples/equipment-bot`). The issue's "Figures":
 *
 * 1. Query timings of the bot's hot queries at 1,000 and 10,000 items per guild (four guilds of that size, so the
 *    per-guild filter matters), on SQLite (a temporary file, deleted at the end) and on Postgres (`POSTGRES_URL`,
 *    default `postgres://postgres@127.0.0.1:5432/test`, a schema of its own `bench_<hex>_…`, dropped at the end),
 *    each without migration 002's indexes (the database migrated to `001_initial` only, with Kysely's
 *    `Migrator.migrateTo` and the bot's migration provider) and then with them (`migrateToLatest` applies 002 to the
 *    same data). `ANALYZE` after seeding and again after the indexes are created.
 *    Queries: (a) the listing, (b) one item's reservations in a range, (c) the derived status, (d) the channel plan
 *    (`listEquipmentViews` + `renderItem` per view) and (d') its `listEquipmentViews` part alone.
 * 2. The bot's memory with 1,000 items rendered: the real bot (`startBotApp`, SQLite in a temporary file) in a child
 *    process against a `DiscordSimulator` in this process, so that the figures are the bot's and not the
 *    simulator's; twice: as TypeScript through tsx (`node --expose-gc --import tsx bench/bot-rss-worker.ts`, how
 *    `npm run bot` runs it) and bundled by tsup into `.bench-out/bot-rss-<hex>/` (deleted afterwards) under plain
 *    `node --expose-gc`, without the loader's own memory.
 *
 * When Postgres cannot be reached its section says so and the rest still runs. `--quick` skips Postgres at 10,000
 * items without the indexes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Compilable, CompiledQuery, Insertable } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openDatabase, type BotDatabase, type BotDialect } from '../examples/equipment-bot/src/db/database.js';
import { migrateToLatest, migrationProvider } from '../examples/equipment-bot/src/db/migrations/index.js';
import { repositories } from '../examples/equipment-bot/src/db/repositories.js';
import { overlappingReservationsQuery } from '../examples/equipment-bot/src/db/reservation-repository.js';
import type { ReservationStatusColumn, ReservationsTable } from '../examples/equipment-bot/src/db/schema.js';
import { renderItem } from '../examples/equipment-bot/src/display/render.js';
import {
  confirmedReservationsQuery,
  equipmentByStatusQuery,
  equipmentListingQuery,
  listEquipmentViews,
} from '../examples/equipment-bot/src/domain/services/equipment-views.js';
import type { BotRssReport } from './bot-rss-worker.js';
import { formatInt, formatMs, markdownTable } from './table.js';

/** Options of {@link runBotBench}. */
export interface BotBenchOptions {
  /** `--quick`: skips Postgres at 10,000 items without the indexes. */
  readonly quick: boolean;
  /** Progress lines go here. @defaultValue stderr */
  readonly log?: (line: string) => void;
  /** @defaultValue `process.env.POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test` */
  readonly postgresUrl?: string;
  /** Items per guild of the query runs. @defaultValue [1000, 10000] */
  readonly sizes?: readonly number[];
  /** Items of the memory run. @defaultValue 1000 */
  readonly rssItems?: number;
}

/** Targets: p95 of each query by items per guild, ms; the bot's RSS with 1,000 items rendered (the seed's bound). */
export const BOT_TARGETS = {
  p95Ms: { 1000: 2, 10_000: 10 } as Readonly<Record<number, number>>,
  rssBytes: 100 * 1024 * 1024,
} as const;

/** The data every query run is made of. */
const DATA = {
  /** The measured guild plus this many others of the same size. */
  otherGuilds: 3,
  tags: 10,
  locations: 3,
  /** Rows per INSERT statement while seeding (all of it in one transaction). */
  insertBatch: 500,
  /** Every this-many-th item is untagged, and every this-many-th (offset 49) Unavailable. */
  untaggedEvery: 20,
  unavailableEvery: 50,
} as const;

/** Runs of each query. A heavy query stops after the time budget (never fewer than the minimum runs). */
const RUNS = {
  warmUp: 20,
  measured: 200,
  minMeasured: 20,
  /** When one run takes longer than this, ms, 5 runs (and 1 warm-up) are enough. */
  slowRunMs: 250,
  warmUpBudgetMs: 1000,
  budgetMs: 1500,
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The seed's figures (`000_7854a22b0b4cbc17.txt`, "Database Query Performance — With 1000+ equipment items"). */
const QUERIES = [
  {
    id: 'listing',
    label: '(a) equipment listing',
    seed: '5 ms ("Equipment listing: 50ms → 5ms")',
  },
  {
    id: 'listingFloor',
    label: "(a') (a)'s SQL, driver alone, rows as arrays",
    seed: '—',
  },
  {
    id: 'overlap',
    label: '(b) reservations of one item in a range',
    seed: '20 ms ("Reservation queries: 100ms → 20ms")',
  },
  {
    id: 'status',
    label: '(c) derived status (Loaned)',
    seed: '10 ms ("Status updates: 30ms → 10ms")',
  },
  {
    id: 'plan',
    label: '(d) channel plan (views + renderItem)',
    seed: 'none (only "<50ms for complex queries")',
  },
  {
    id: 'views',
    label: "(d') of which listEquipmentViews",
    seed: '—',
  },
] as const;

type QueryId = (typeof QUERIES)[number]['id'];

const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);

/** Guild snowflakes of the data: the first is the measured one. */
export function benchGuildIds(count: number): string[] {
  return Array.from({ length: count }, (_, g) => `${910_000_000_000_000_000n + BigInt(g)}`);
}

const ITEM_KINDS = ['Laptop', 'VR headset', 'Camera', 'Tripod', 'Microphone', 'Projector', 'Tablet'] as const;
const userOf = (n: number): string => `${220_000_000_000_000_000n + BigInt(n % 40)}`;

/** What {@link seedBotData} made. */
export interface SeededBotData {
  /** The item ids of the first guild, in creation order. */
  readonly equipmentIds: readonly number[];
  readonly items: number;
  readonly reservations: number;
  readonly confirmed: number;
}

/** A reservation row as the seeder inserts it: the schema's own insert type. */
type ReservationInsert = Insertable<ReservationsTable>;

/**
 * The four reservations of item `i` around `now`: two in the past (returned or cancelled), one now (a loan in
 * progress for 3 items in 10, an overdue one not returned for 1 in 10, else returned), one upcoming (confirmed for
 * 4 items in 5, else cancelled). Times vary with `i` so that no two items look alike.
 */
function reservationsOf(
  i: number,
  equipmentId: number,
  now: number,
  locations: readonly number[],
): ReservationInsert[] {
  const jitter = (i % 97) * MINUTE;
  const location = locations[i % locations.length] ?? null;
  const row = (
    startAt: number,
    endAt: number,
    status: ReservationStatusColumn,
    returned = status === 'returned',
  ): ReservationInsert => ({
    equipment_id: equipmentId,
    user_id: userOf(i + startAt),
    start_at: startAt,
    end_at: endAt,
    location_id: location,
    status,
    returned_at: returned ? endAt - 10 * MINUTE : null,
    return_location_id: returned ? location : null,
    returned_by: returned ? userOf(i) : null,
    created_at: startAt - 2 * DAY,
  });
  const oldStart = now - (20 + (i % 10)) * DAY + jitter;
  const recentStart = now - (5 + (i % 5)) * DAY + jitter;
  const current =
    i % 10 < 3
      ? row(now - 2 * HOUR - jitter, now + 3 * HOUR, 'confirmed')
      : i % 10 === 3
        ? row(now - 2 * DAY, now - DAY + jitter, 'confirmed')
        : row(now - 2 * DAY, now - 2 * DAY + 6 * HOUR, 'returned');
  const futureStart = now + (1 + (i % 14)) * DAY + jitter;
  return [
    row(oldStart, oldStart + 4 * HOUR, 'returned'),
    row(recentStart, recentStart + DAY, i % 3 === 0 ? 'cancelled' : 'returned'),
    current,
    row(futureStart, futureStart + DAY, i % 5 === 4 ? 'cancelled' : 'confirmed'),
  ];
}

/**
 * Fills a migrated bot database, in one transaction with multi-row INSERTs: per guild 10 tags, 3 locations, `items`
 * items (1 in 20 untagged, 1 in 50 Unavailable) and 4 reservations per item (see {@link reservationsOf}).
 *
 * @param database - the open, migrated database
 * @param guildIds - the guilds, each with the same data
 * @param items - items per guild
 * @param now - the time the reservations are placed around, epoch ms
 * @returns what was made
 */
export async function seedBotData(
  database: BotDatabase,
  guildIds: readonly string[],
  items: number,
  now: number,
): Promise<SeededBotData> {
  const batches = async <T>(rows: readonly T[], insert: (chunk: T[]) => Promise<void>): Promise<void> => {
    for (let first = 0; first < rows.length; first += DATA.insertBatch) {
      await insert(rows.slice(first, first + DATA.insertBatch));
    }
  };
  let firstGuildIds: number[] = [];
  let reservations = 0;
  let confirmed = 0;
  await database.transaction(async (trx) => {
    for (const [g, guildId] of guildIds.entries()) {
      const tags = await trx
        .insertInto('tags')
        .values(
          Array.from({ length: DATA.tags }, (_, t) => ({
            guild_id: guildId,
            name: `Tag ${String(t + 1).padStart(2, '0')}`,
            sort_order: t + 1,
            created_at: now - 100 * DAY + t,
          })),
        )
        .returning(['id', 'sort_order'])
        .execute();
      const tagIds = tags.sort((a, b) => a.sort_order - b.sort_order).map((tag) => tag.id);
      const locationIds = (
        await trx
          .insertInto('locations')
          .values(
            Array.from({ length: DATA.locations }, (_, l) => ({
              guild_id: guildId,
              name: `Room ${l + 1}`,
              created_at: now - 100 * DAY,
            })),
          )
          .returning('id')
          .execute()
      ).map((location) => location.id);
      const names = Array.from({ length: items }, (_, i) => `${ITEM_KINDS[i % ITEM_KINDS.length]!} ${i + 1}`);
      const ids: number[] = [];
      await batches(
        names.map((name, i) => ({ name, i })),
        async (chunk) => {
          const rows = await trx
            .insertInto('equipment')
            .values(
              chunk.map(({ name, i }) => {
                const unavailable = i % DATA.unavailableEvery === DATA.unavailableEvery - 1;
                return {
                  guild_id: guildId,
                  name,
                  tag_id: i % DATA.untaggedEvery === 0 ? null : tagIds[i % tagIds.length]!,
                  unavailable: unavailable ? 1 : 0,
                  unavailable_reason: unavailable ? 'Being repaired' : null,
                  current_location_id: locationIds[i % locationIds.length]!,
                  default_return_location_id: locationIds[0]!,
                  created_at: now - 90 * DAY + i * MINUTE,
                };
              }),
            )
            .returning(['id', 'name'])
            .execute();
          const byName = new Map(rows.map((row) => [row.name, row.id]));
          for (const { name } of chunk) ids.push(byName.get(name)!);
        },
      );
      if (g === 0) firstGuildIds = ids;
      const rows = ids.flatMap((id, i) => reservationsOf(i, id, now, locationIds));
      reservations += rows.length;
      confirmed += rows.filter((row) => row.status === 'confirmed').length;
      await batches(rows, async (chunk) => void (await trx.insertInto('reservations').values(chunk).execute()));
    }
  });
  return { equipmentIds: firstGuildIds, items: items * guildIds.length, reservations, confirmed };
}

/** `ANALYZE` of the bot's tables the queries read. */
async function analyze(database: BotDatabase): Promise<void> {
  if (database.dialect === 'sqlite') database.database.exec('ANALYZE');
  else await database.pool.query('ANALYZE tags, locations, equipment, reservations');
}

/** Timings of one query, ms. */
interface Timing {
  readonly runs: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

async function time(run: (index: number) => Promise<unknown>): Promise<Timing> {
  let started = performance.now();
  await run(0);
  const first = performance.now() - started;
  const slow = first > RUNS.slowRunMs;
  const warmUpStarted = performance.now();
  for (let i = 1; i < (slow ? 1 : RUNS.warmUp) && performance.now() - warmUpStarted < RUNS.warmUpBudgetMs; i++) {
    await run(i);
  }
  const minimum = slow ? 5 : RUNS.minMeasured;
  const samples: number[] = [];
  const measureStarted = performance.now();
  while (
    samples.length < RUNS.measured &&
    (samples.length < minimum || performance.now() - measureStarted < RUNS.budgetMs)
  ) {
    started = performance.now();
    await run(samples.length);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { runs: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), max: samples.at(-1)! };
}

/** A short account of a plan: the index each table is read by, or `scan` for a full table scan; sorts. */
async function planOf(database: BotDatabase, query: Compilable): Promise<string> {
  const compiled = query.compile();
  const parts: string[] = [];
  if (database.dialect === 'sqlite') {
    const rows = database.database.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.parameters) as {
      detail: string;
    }[];
    for (const { detail } of rows) {
      const step = /^(SCAN|SEARCH) (\w+)(?: EXISTS)?(?: USING (.*?))?(?: \(.*\))?$/.exec(detail);
      if (step) {
        const [, kind, table, using] = step;
        const index = using === undefined ? undefined : /INDEX (\w+)/.exec(using)?.[1];
        if (using === undefined) parts.push(`${table!} scan`);
        else if (using.includes('PRIMARY KEY')) parts.push(`${table!} pk`);
        else if (using.includes('AUTOMATIC')) parts.push(`${table!} automatic index`);
        else parts.push(`${table!} ${kind === 'SCAN' ? 'full ' : ''}${index ?? using}`);
      } else if (detail.startsWith('BLOOM FILTER')) parts.push('bloom filter');
      else if (/TEMP B-TREE/.test(detail)) parts.push('sort');
    }
  } else {
    const result = await database.pool.query<{ 'QUERY PLAN': { Plan: PgPlan }[] }>(
      `EXPLAIN (FORMAT JSON) ${compiled.sql}`,
      [...compiled.parameters],
    );
    const walk = (plan: PgPlan): void => {
      const alias = plan.Alias ?? plan['Relation Name'] ?? '';
      if (plan['Node Type'] === 'Seq Scan') parts.push(`${alias} scan`);
      else if (plan['Node Type'] === 'Bitmap Heap Scan') {
        const indexes: string[] = [];
        const collect = (node: PgPlan): void => {
          if (node['Index Name'] !== undefined) indexes.push(node['Index Name']);
          for (const child of node.Plans ?? []) collect(child);
        };
        collect(plan);
        parts.push(`${alias} ${indexes.join(' + ')} (bitmap)`);
        return;
      } else if (plan['Index Name'] !== undefined) {
        parts.push(
          `${alias ? `${alias} ` : ''}${plan['Index Name']}${plan['Node Type'] === 'Index Only Scan' ? ' (only)' : ''}`,
        );
      } else if (plan['Node Type'] === 'Sort') parts.push('sort');
      else if (/Join|Nested Loop/.test(plan['Node Type'])) parts.push(plan['Join Type'] === 'Semi' ? 'semi-join' : '');
      for (const child of plan.Plans ?? []) walk(child);
    };
    walk(result.rows[0]!['QUERY PLAN'][0]!.Plan);
  }
  return parts.filter((part) => part !== '').join(', ');
}

interface PgPlan {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Alias?: string;
  readonly 'Join Type'?: string;
  readonly Plans?: readonly PgPlan[];
}

/** One measured query. */
interface QueryRow {
  readonly items: number;
  readonly indexes: boolean;
  readonly query: QueryId;
  readonly timing: Timing;
  readonly plan: string;
  /** Rows the query returned (views for the channel plan), as a check that it reads what it should. */
  readonly resultRows: number;
}

/** Measures every query of {@link QUERIES} on the first guild of a seeded database. */
async function measureQueries(
  database: BotDatabase,
  items: number,
  indexes: boolean,
  seeded: SeededBotData,
  guildId: string,
  now: number,
): Promise<QueryRow[]> {
  const { db } = database;
  const reservations = repositories(db, database.dialect).reservations;
  const ids = seeded.equipmentIds;
  // A week around now, for a different item at each run.
  const from = now - DAY;
  const to = now + 7 * DAY;
  const itemAt = (index: number): number => ids[(index * 7919) % ids.length]!;
  const run: Record<QueryId, (index: number) => Promise<number>> = {
    listing: async () => (await equipmentListingQuery(db, { guildId }).execute()).length,
    listingFloor: () => driverFloor(database, equipmentListingQuery(db, { guildId }).compile()),
    overlap: async (index) => (await reservations.findOverlapping(itemAt(index), from, to)).length,
    status: async () => (await equipmentByStatusQuery(db, guildId, 'Loaned', now).execute()).length,
    plan: async () => {
      const views = await listEquipmentViews(db, guildId, now);
      return views.map(renderItem).length;
    },
    views: async () => (await listEquipmentViews(db, guildId, now)).length,
  };
  const plans: Record<QueryId, () => Promise<string>> = {
    listing: () => planOf(database, equipmentListingQuery(db, { guildId })),
    listingFloor: () => Promise.resolve('as (a)'),
    overlap: () => planOf(database, overlappingReservationsQuery(db, itemAt(0), from, to)),
    status: () => planOf(database, equipmentByStatusQuery(db, guildId, 'Loaned', now)),
    plan: async () =>
      `listing: ${await planOf(database, equipmentListingQuery(db, { guildId }))}; reservations: ` +
      (await planOf(database, confirmedReservationsQuery(db, { guildId }))),
    views: () => Promise.resolve('as (d)'),
  };
  const rows: QueryRow[] = [];
  for (const { id } of QUERIES) {
    const resultRows = await run[id](0);
    const timing = await time(run[id]);
    rows.push({ items, indexes, query: id, timing, plan: await plans[id](), resultRows });
  }
  return rows;
}

/**
 * Runs a compiled query on the driver itself, each row an array (better-sqlite3's `raw()` statement, prepared once;
 * pg's `rowMode: 'array'`): no query builder, no row objects — what any listing of these rows costs at least.
 *
 * @returns the number of rows
 */
async function driverFloor(database: BotDatabase, query: CompiledQuery): Promise<number> {
  if (database.dialect === 'sqlite') {
    // Prepared once per connection (a statement dies with its connection; each size has its own database).
    const prepared = floorStatements.get(database.database) ?? new Map<string, Database.Statement>();
    floorStatements.set(database.database, prepared);
    let statement = prepared.get(query.sql);
    if (statement === undefined) {
      statement = database.database.prepare(query.sql).raw(true);
      prepared.set(query.sql, statement);
    }
    return statement.all(...query.parameters).length;
  }
  const result = await database.pool.query({ text: query.sql, values: [...query.parameters], rowMode: 'array' });
  return result.rows.length;
}
const floorStatements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** One dialect's results. */
interface DialectResult {
  readonly dialect: BotDialect;
  readonly rows: QueryRow[];
  /** Why the dialect (or a size) could not run. */
  readonly unavailable: string[];
  readonly skipped: string[];
  readonly seeding: string[];
  readonly where: string;
}

async function runDialect(
  dialect: BotDialect,
  options: BotBenchOptions,
  log: (line: string) => void,
  postgresUrl: string,
  runId: string,
): Promise<DialectResult> {
  const sizes = options.sizes ?? [1000, 10_000];
  const label = dialect === 'sqlite' ? 'SQLite' : 'Postgres';
  const result: DialectResult = { dialect, rows: [], unavailable: [], skipped: [], seeding: [], where: '' };
  const guildIds = benchGuildIds(1 + DATA.otherGuilds);
  let folder: string | undefined;
  const where: string[] = [];
  try {
    for (const items of sizes) {
      let url: string;
      let schema: string | undefined;
      if (dialect === 'sqlite') {
        folder ??= await mkdtemp(join(tmpdir(), 'dum-bench-bot-'));
        url = `sqlite:${join(folder, `bot-${items}.db`)}`;
        where.push(url);
      } else {
        schema = `bench_${runId}_${items}`;
        const parsed = new URL(postgresUrl);
        parsed.searchParams.set('schema', schema);
        url = parsed.toString();
        where.push(`schema ${schema}`);
      }
      let database: BotDatabase;
      try {
        database = await openDatabase(url, { onPoolError: () => {} });
      } catch (error) {
        log(`bot: ${label} unavailable: ${describeError(error)}`);
        result.unavailable.push(describeError(error));
        return result;
      }
      try {
        const migrator = new Migrator({
          db: database.db,
          provider: migrationProvider(dialect),
          ...(database.dialect === 'postgres' ? { migrationTableSchema: database.schema } : {}),
        });
        const migrated = await migrator.migrateTo('001_initial');
        if (migrated.error !== undefined) throw migrated.error;
        log(`bot: ${label}, ${formatInt(items)} items × ${guildIds.length} guilds: seeding ...`);
        const now = Math.floor(Date.now());
        let started = performance.now();
        const seeded = await seedBotData(database, guildIds, items, now);
        const seedMs = performance.now() - started;
        started = performance.now();
        await analyze(database);
        result.seeding.push(
          `${formatInt(items)} items per guild: ${formatInt(seeded.items)} items and ${formatInt(seeded.reservations)} ` +
            `reservations (${formatInt(seeded.confirmed)} confirmed) seeded in ${formatMs(seedMs)}, ANALYZE ` +
            `${formatMs(performance.now() - started)}`,
        );
        if (dialect === 'postgres' && options.quick && items >= 10_000) {
          result.skipped.push(`${formatInt(items)} items without the indexes (--quick)`);
        } else {
          log(`bot: ${label}, ${formatInt(items)} items, without migration 002 ...`);
          result.rows.push(...(await measureQueries(database, items, false, seeded, guildIds[0]!, now)));
        }
        started = performance.now();
        await migrateToLatest(database);
        await analyze(database);
        result.seeding.push(
          `${formatInt(items)} items per guild: migration 002 + ANALYZE in ${formatMs(performance.now() - started)}`,
        );
        log(`bot: ${label}, ${formatInt(items)} items, with migration 002 ...`);
        result.rows.push(...(await measureQueries(database, items, true, seeded, guildIds[0]!, now)));
      } catch (error) {
        log(`bot: ${label}, ${formatInt(items)} items failed: ${describeError(error)}`);
        result.unavailable.push(`${formatInt(items)} items: ${describeError(error)}`);
      } finally {
        if (database.dialect === 'postgres' && schema !== undefined) {
          await database.pool
            .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            .catch((error: unknown) => log(`bot: could not drop schema ${schema}: ${describeError(error)}`));
        }
        await database.close();
      }
    }
  } finally {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  }
  return { ...result, where: where.join(', ') };
}

/**
 * How the bot process runs: TypeScript through the tsx loader, bundled JavaScript under Node's defaults, or bundled
 * with the lean settings of the bot README's "Memory" section ({@link LEAN}).
 */
type RssMode = 'tsx' | 'bundled' | 'lean';

/**
 * The lean run's Node flags and environment (the bot README's "Memory" section): a 1 MB young-generation semi-space
 * instead of 16 MB (−30 MB of heap reserved), one GC thread and one V8 platform thread, and two glibc malloc arenas
 * (each thread that allocates otherwise gets its own arena, which keeps what the compiler freed).
 */
const LEAN = {
  flags: ['--max-semi-space-size=1', '--single-threaded-gc', '--v8-pool-size=1'],
  env: { MALLOC_ARENA_MAX: '2' },
} as const;
const LEAN_ENV_TEXT = Object.entries(LEAN.env)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

/** What one memory run measured (the worker's report and what the simulator saw). */
interface RssResult {
  readonly mode: RssMode;
  readonly command: string;
  readonly report: BotRssReport;
  readonly apiCalls: number;
  readonly byStatus: Readonly<Record<number, number>>;
  readonly channelMessages: number;
  readonly wallMs: number;
}

const WORKER_PATH = fileURLToPath(new URL('./bot-rss-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Longest one memory run may take, ms. */
const RSS_TIMEOUT_MS = 120_000;
/** The simulator's time scale in the memory run: Discord's 5 creates per 5 s per channel become 5 per 50 ms. */
const RSS_TIME_SCALE = 0.01;

/**
 * Bundles the worker (and the bot, and the library through the tsconfig paths) into one ES module with tsup, every
 * package of node_modules left external; inside the repository, so that Node resolves them from its node_modules.
 *
 * @returns the folder (delete it afterwards) and the bundle's path
 */
async function bundleWorker(runId: string): Promise<{ folder: string; file: string }> {
  const { build } = await import('tsup');
  const folder = join(ROOT, '.bench-out', `bot-rss-${runId}`);
  await build({
    entry: { 'bot-rss-worker': WORKER_PATH },
    outDir: folder,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    bundle: true,
    skipNodeModulesBundle: true,
    // Loaded by the bench process only (dynamic imports in this file), never by the worker.
    external: [/\/src\/testing\//, 'tsup'],
    splitting: false,
    sourcemap: false,
    dts: false,
    clean: false,
    config: false,
    silent: true,
    tsconfig: join(ROOT, 'tsconfig.json'),
  });
  return { folder, file: join(folder, 'bot-rss-worker.js') };
}

async function runRss(items: number, mode: RssMode, runId: string, log: (line: string) => void): Promise<RssResult> {
  let bundle: { folder: string; file: string } | undefined;
  // Loaded here only, so that the worker (which imports the seeding from this file) does not load the simulator.
  const { DiscordSimulator } = await import('../src/testing/index.js');
  const sim = await DiscordSimulator.start({ timeScale: RSS_TIME_SCALE });
  try {
    const args: string[] = ['--expose-gc', ...(mode === 'lean' ? LEAN.flags : [])];
    if (mode === 'tsx') args.push('--import', 'tsx', WORKER_PATH);
    else {
      bundle = await bundleWorker(`${runId}-${mode}`);
      args.push(bundle.file);
    }
    const guild = sim.guilds.create({ name: 'Equipment Club' });
    const channel = guild.channels.create({ name: 'reservations' });
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(mode === 'lean' ? LEAN.env : {}),
        BOT_RSS_SIM_URL: sim.url,
        BOT_RSS_TOKEN: sim.token,
        BOT_RSS_APPLICATION_ID: sim.applicationId(),
        BOT_RSS_GUILD_ID: guild.id,
        BOT_RSS_CHANNEL_ID: channel.id,
        BOT_RSS_ITEMS: String(items),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let report: BotRssReport | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('result ')) report = JSON.parse(line.slice('result '.length)) as BotRssReport;
      else if (line.startsWith('progress ')) log(`bot: memory (${mode}): ${line.slice('progress '.length)}`);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the bot worker did not finish within ${formatMs(RSS_TIMEOUT_MS)}: ${stderr.trim()}`));
      }, RSS_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0 || report === undefined) {
      throw new Error(`the bot worker exited with ${String(code)} without a report: ${stderr.trim()}`);
    }
    const stats = sim.getStats();
    return {
      mode,
      command:
        mode === 'tsx'
          ? '`node --expose-gc --import tsx bench/bot-rss-worker.ts`'
          : `\`${mode === 'lean' ? `${LEAN_ENV_TEXT} ` : ''}node --expose-gc ${mode === 'lean' ? `${LEAN.flags.join(' ')} ` : ''}` +
            '.bench-out/bot-rss-…/bot-rss-worker.js` (tsup bundle of the worker, the bot and the library; ' +
            'node_modules packages external)',
      report,
      apiCalls: stats.requests,
      byStatus: stats.byStatus,
      channelMessages: sim.listMessages(channel.id).length,
      wallMs: performance.now() - started,
    };
  } finally {
    await sim.close();
    if (bundle !== undefined) await rm(bundle.folder, { recursive: true, force: true });
  }
}

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
const ms2 = (ms: number): string => ms.toFixed(2);

function renderDialect(result: DialectResult): string[] {
  const label = result.dialect === 'sqlite' ? 'SQLite' : 'Postgres';
  const lines = [`### ${label}`, ''];
  if (result.where) lines.push(`Database: ${result.where}.`, '');
  if (result.rows.length > 0) {
    const rows = result.rows.map((row) => {
      const target = BOT_TARGETS.p95Ms[row.items];
      const query = QUERIES.find((candidate) => candidate.id === row.query)!;
      return [
        formatInt(row.items),
        row.indexes ? 'with 002' : '001 only',
        query.label,
        formatInt(row.timing.runs),
        ms2(row.timing.p50),
        ms2(row.timing.p95),
        ms2(row.timing.max),
        formatInt(row.resultRows),
        query.seed,
        target === undefined ? '—' : `≤ ${target} ms`,
        target === undefined ? '—' : row.timing.p95 <= target ? '✓' : '✗',
        row.plan,
      ];
    });
    lines.push(
      markdownTable(
        [
          'items/guild',
          'indexes',
          'query',
          'runs',
          'p50 ms',
          'p95 ms',
          'max ms',
          'rows',
          'seed (1,000+ items)',
          'target p95',
          'verdict',
          'plan (table index / scan)',
        ],
        rows,
        ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'left', 'left'],
      ),
      '',
    );
  }
  for (const line of result.seeding) lines.push(`- ${line}`);
  for (const line of result.skipped) lines.push(`- Skipped: ${line}.`);
  for (const line of result.unavailable)
    lines.push(`- ${label} unavailable: ${line.replace(/\.$/, '')}. Its rows were not measured.`);
  return lines;
}

function renderRss(items: number, runs: readonly (RssResult | { readonly mode: RssMode; readonly error: string })[]) {
  const lines = [`### Bot memory with ${formatInt(items)} items rendered`, ''];
  const target = BOT_TARGETS.rssBytes;
  const verdict = (bytes: number): string => (bytes < target ? '✓' : '✗');
  const done = runs.filter((run): run is RssResult => 'report' in run);
  lines.push(
    `The real bot (\`startBotApp\`, SQLite in a temporary file, the library's default rate-limit config) in a child ` +
      `process against a \`DiscordSimulator\` (\`timeScale: ${RSS_TIME_SCALE}\`) in the bench process, so the ` +
      `figures are the bot's; ${formatInt(items)} items (10 tags, 4 reservations per item, as above) seeded in its ` +
      'database, the reservation channel set, then `app.bot.display.render(guild, channel, { kind: "structure" })` ' +
      'and `app.manager.onIdle()`. Three runs: the bot as TypeScript through the tsx loader (as `npm run bot` ' +
      "starts it; the loader's compiler thread and caches count in the RSS), the bot bundled to JavaScript under " +
      'Node\'s defaults, and the bundle with the lean settings of the bot README\'s "Memory" section ' +
      `(\`${LEAN.flags.join(' ')}\`, ${LEAN_ENV_TEXT}). ` +
      '"(GC)": after two forced `gc()`. Target: the seed\'s bound, RSS < 100 MB ("Memory usage: <100MB for ' +
      '1000+ equipment items").',
    '',
  );
  if (done.length > 0) {
    const labels = done[0]!.report.samples.map((sample) => sample.label);
    const rows = labels.map((label, index) => [
      label,
      ...done.flatMap((run) => {
        const sample = run.report.samples[index];
        return sample === undefined ? ['', '', ''] : [mb(sample.rss), mb(sample.heapUsed), verdict(sample.rss)];
      }),
    ]);
    rows.push(['peak (maxRSS)', ...done.flatMap((run) => [mb(run.report.maxRss), '', verdict(run.report.maxRss)])]);
    lines.push(
      markdownTable(
        ['bot process', ...done.flatMap((run) => [`RSS, ${run.mode}`, `heap used, ${run.mode}`, '< 100 MB'])],
        rows,
        ['left', ...done.flatMap(() => ['right', 'right', 'left'] as const)],
      ),
      '',
    );
    for (const run of done) {
      const { report } = run;
      const statuses = Object.entries(run.byStatus)
        .map(([status, count]) => `${status}: ${formatInt(count)}`)
        .join(', ');
      lines.push(
        `- ${run.mode}: ${run.command}, Node ${report.node}, GC exposed: ${report.gcExposed ? 'yes' : 'no'}. Render ` +
          `${formatMs(report.renderMs)} from \`render\` to idle (one \`display.plan\` alone before it: ` +
          `${formatMs(report.planMs)}); ${formatInt(report.managedMessages)} managed messages; the channel holds ` +
          `${formatInt(run.channelMessages)} messages (expected ${formatInt(items + 1)}: the header and one per ` +
          `item); API calls the simulator saw: ${formatInt(run.apiCalls)} (${statuses}), start-up included; the ` +
          `worker ran ${formatMs(run.wallMs)} in all.`,
      );
    }
    lines.push(
      '- The render time is the manager pacing 1,001 creates at its default 50 requests/s (the simulator at this ' +
        'time scale would take 100/s per channel).',
    );
  }
  for (const run of runs) {
    if ('error' in run) lines.push(`- ${run.mode}: not measured: ${run.error}`);
  }
  return lines;
}

/**
 * Runs the bot bench.
 *
 * @param options - quick mode, Postgres URL, sizes
 * @returns the markdown section
 */
export async function runBotBench(options: BotBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const postgresUrl = options.postgresUrl ?? process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const runId = randomBytes(4).toString('hex');
  const rssItems = options.rssItems ?? 1000;
  const dialects: DialectResult[] = [];
  for (const dialect of ['sqlite', 'postgres'] as const) {
    dialects.push(await runDialect(dialect, options, log, postgresUrl, runId));
  }
  const rss: (RssResult | { mode: RssMode; error: string })[] = [];
  for (const mode of ['tsx', 'bundled', 'lean'] as const) {
    log(`bot: memory, ${formatInt(rssItems)} items, ${mode} ...`);
    try {
      rss.push(await runRss(rssItems, mode, runId, log));
    } catch (error) {
      log(`bot: memory (${mode}) failed: ${describeError(error)}`);
      rss.push({ mode, error: describeError(error) });
    }
  }
  const lines = [
    '## Reference bot',
    '',
    '### Query timings',
    '',
    `Data per run: ${1 + DATA.otherGuilds} guilds of the same size (the first one measured), each with ` +
      `${DATA.tags} tags, ${DATA.locations} locations, N items (1 in ${DATA.untaggedEvery} untagged, 1 in ` +
      `${DATA.unavailableEvery} Unavailable) and 4 reservations per item (2 past, returned or cancelled; 1 now: a loan ` +
      'in progress for 3 items in 10, an overdue one not returned for 1 in 10; 1 upcoming), seeded in one ' +
      `transaction with ${DATA.insertBatch}-row INSERTs, then \`ANALYZE\`. "001 only": migrated with Kysely's ` +
      "`Migrator.migrateTo('001_initial')` and the bot's `migrationProvider` (the tables and their unique " +
      'constraints, none of 002\'s indexes); "with 002": `migrateToLatest` then applies migration 002 to the same ' +
      'data, and `ANALYZE` again. Queries, on the first guild, through Kysely as the bot runs them: (a) ' +
      '`equipmentListingQuery({ guildId }).execute()`; (b) `reservations.findOverlapping(item, now − 1 day, now + ' +
      '7 days)`, another item at each run; (c) `equipmentByStatusQuery(guild, "Loaned", now).execute()`; (d) ' +
      "`listEquipmentViews(guild, now)` then `renderItem` for each view (what a full re-render computes); (d') " +
      '`listEquipmentViews` alone (the data part of (d); the rest is rendering; every run renders the same ' +
      'reservations, so formats the bot memoises are warm after the first run). ' +
      `${RUNS.warmUp} warm-up runs then up to ${RUNS.measured} measured (fewer when a query has used ` +
      `${formatMs(RUNS.budgetMs)}, never under ${RUNS.minMeasured}; 1 + 5 when one run exceeds ${RUNS.slowRunMs} ` +
      'ms); p50 / p95 nearest rank. "rows": what one run returns. Target: p95 ≤ 2 ms at 1,000 items, ≤ 10 ms at ' +
      "10,000. Plan: SQLite's `EXPLAIN QUERY PLAN`, Postgres' `EXPLAIN` (table alias and the index it is read by, " +
      '"scan" for a full scan, "(only)" an index-only scan).',
    '',
  ];
  for (const result of dialects) lines.push(...renderDialect(result), '');
  lines.push(...renderRss(rssItems, rss));
  if (options.quick) lines.push('', '`--quick`: Postgres at 10,000 items without the indexes was skipped.');
  return lines.join('\n');
}
