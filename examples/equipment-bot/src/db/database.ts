/**
 * Opening the bot's database from `DATABASE_URL`: SQLite (better-sqlite3) or PostgreSQL (pg), behind one
 * `Kysely<BotSchema>`. The handle also carries the raw connection so that the library's update repository shares it
 * (`new SqliteUpdateRepository({ database })` / `new PostgresUpdateRepository({ pool, schema })`).
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { BotSchema } from './schema.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

/** The dialects the bot runs on. */
export type BotDialect = 'sqlite' | 'postgres';

/** What every open database offers. */
interface BotDatabaseBase {
  /** The query builder. Write transactions go through {@link BotDatabaseBase.transaction}. */
  readonly db: Kysely<BotSchema>;
  /** `DATABASE_URL` with its password replaced by `***`, for logs. */
  readonly url: string;
  /**
   * Runs `fn` in one write transaction, committed when it resolves and rolled back when it throws. On SQLite it
   * begins with `BEGIN IMMEDIATE` (serialised with every other writer, also in other processes); on Postgres it is
   * `READ COMMITTED`, and the repositories lock the rows they check (`SELECT ... FOR UPDATE`).
   */
  transaction<T>(fn: (trx: Transaction<BotSchema>) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one read-only transaction, so several queries see one snapshot: SQLite deferred `BEGIN` (no lock),
   * Postgres `REPEATABLE READ READ ONLY`.
   */
  readTransaction<T>(fn: (trx: Transaction<BotSchema>) => Promise<T>): Promise<T>;
  /**
   * Closes the database (Kysely, then the connection or pool). Close the library's repository first. Idempotent.
   */
  close(): Promise<void>;
}

/** An open SQLite database. */
export interface SqliteBotDatabase extends BotDatabaseBase {
  readonly dialect: 'sqlite';
  /**
   * The better-sqlite3 connection (WAL, foreign keys, busy timeout set): pass it as the library's `database`, so one
   * connection serves both. Mind that a connection has one transaction at a time: a library write that runs while a
   * bot transaction is open (between two of its awaits) becomes part of it (better-sqlite3 nests it as a savepoint),
   * and would be undone if that transaction rolled back. The bot's transactions only await their own statements, so
   * the window is a few microtasks; give the library its own `filename` connection if that is not acceptable.
   */
  readonly database: Database.Database;
  /** The file's absolute path, or `':memory:'`. */
  readonly filename: string;
}

/** An open Postgres database. */
export interface PostgresBotDatabase extends BotDatabaseBase {
  readonly dialect: 'postgres';
  /** The pool (every connection has `search_path` = {@link PostgresBotDatabase.schema}): the library's `pool`. */
  readonly pool: pg.Pool;
  /** The schema holding the bot's tables: `?schema=` of the URL, else `public`. Pass it as the library's `schema`. */
  readonly schema: string;
}

/** An open database, discriminated by `dialect`. */
export type BotDatabase = SqliteBotDatabase | PostgresBotDatabase;

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * SQLite: how long a write waits for another connection's lock before failing, ms.
   * @defaultValue 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Postgres: most connections in the pool.
   * @defaultValue 10
   */
  readonly maxConnections?: number;
  /**
   * Postgres: called when an idle pooled connection fails (the pool replaces it). Without it, such errors would end
   * the process.
   * @defaultValue a `console.warn`
   */
  readonly onPoolError?: (error: Error) => void;
  /** Folder a relative SQLite path is resolved against. @defaultValue `process.cwd()` */
  readonly cwd?: string;
}

/** What `DATABASE_URL` may be, for error messages. */
const ALLOWED =
  'expected sqlite:<path> (e.g. sqlite:./data/bot.db, relative to the working directory), sqlite::memory:, or ' +
  'postgres://user:password@host:5432/database with an optional ?schema=<name> (lower-case letters, digits, _)';

/** A Postgres schema name the bot accepts (as the library does, so both can share it). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The int8 (`BIGINT`) type oid. */
const INT8_OID = 20;

/**
 * A URL with its password replaced by `***`, for messages.
 *
 * @param url - a database URL
 * @returns the URL without its password
 */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

function invalidUrl(url: string, problem: string): Error {
  return new Error(`DATABASE_URL "${redactDatabaseUrl(url)}" is invalid: ${problem}; ${ALLOWED}.`);
}

/**
 * Opens the bot's database.
 *
 * - `sqlite:<path>`: the file (its folder is created), WAL journal, `foreign_keys = ON`, `synchronous = FULL`, the
 *   busy timeout; `sqlite::memory:` for a private in-memory database.
 * - `postgres://...` / `postgresql://...`: a `pg` pool whose connections use `search_path` = the `?schema=` given
 *   (created if missing) or `public`, and parse `BIGINT` as a JavaScript number (the bot's epoch-ms columns).
 *   The server is contacted once before this resolves, so a wrong URL fails here.
 *
 * Apply the migrations next (`migrateToLatest(database)`).
 *
 * @param url - the `DATABASE_URL`
 * @param options - tuning
 * @returns the open database
 * @throws Error naming `DATABASE_URL`, its value (password redacted) and what is allowed, when the URL is invalid;
 *   Error "could not connect to PostgreSQL ..." when the server does not answer
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<BotDatabase> {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) return openSqlite(trimmed, options);
  if (/^postgres(ql)?:\/\//.test(trimmed)) return openPostgres(trimmed, options);
  throw invalidUrl(url, 'unknown scheme');
}

function openSqlite(url: string, options: OpenDatabaseOptions): SqliteBotDatabase {
  const path = url.slice('sqlite:'.length);
  if (path.length === 0) throw invalidUrl(url, 'the path after sqlite: is empty');
  if (path.startsWith('//')) throw invalidUrl(url, 'write sqlite:./file.db or sqlite:/absolute/file.db, not sqlite://');
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new Error(`busyTimeoutMs is ${busyTimeoutMs}: expected an integer number of milliseconds >= 0.`);
  }
  const filename = path === ':memory:' ? ':memory:' : resolve(options.cwd ?? process.cwd(), path);
  let database: Database.Database;
  try {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    database = new Database(filename, { timeout: busyTimeoutMs });
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = FULL');
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  } catch (error) {
    throw new Error(
      `could not open the SQLite database ${filename} (DATABASE_URL=${redactDatabaseUrl(url)}): ` +
        `${(error as Error).message}. Check that the folder is writable.`,
      { cause: error },
    );
  }
  const db = new Kysely<BotSchema>({ dialect: new ImmediateSqliteDialect(database, busyTimeoutMs) });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    database,
    filename,
    url: redactDatabaseUrl(url),
    transaction: (fn) => db.transaction().execute(fn),
    readTransaction: (fn) => db.transaction().setAccessMode('read only').execute(fn),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (database.open) database.close();
    },
  };
}

/** The URL `pg` gets (without `schema`, with the search path in `options`) and the schema. */
function postgresTarget(url: string): { connectionString: string; schema: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(url, 'not a URL');
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_') || schema === 'information_schema') {
    throw invalidUrl(
      url,
      `schema "${schema}" is not allowed (1 to 63 of a-z, 0-9, _; not starting with a digit or pg_)`,
    );
  }
  parsed.searchParams.delete('schema');
  // The connection string's own parameters win over pg's config object, so the search path goes into the URL.
  const existing = parsed.searchParams.get('options');
  const searchPath = `-c search_path=${schema}`;
  parsed.searchParams.set('options', existing === null ? searchPath : `${existing} ${searchPath}`);
  return { connectionString: parsed.toString(), schema };
}

/** `pg` type parsers: int8 as a number (epoch ms and counts fit in 2^53), everything else as `pg` does. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<PostgresBotDatabase> {
  const { connectionString, schema } = postgresTarget(url);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    types: TYPES,
  });
  const onPoolError = options.onPoolError ?? ((error: Error) => console.warn(`PostgreSQL pool: ${error.message}`));
  pool.on('error', onPoolError);
  try {
    if (schema !== 'public') await createSchema(pool, schema);
    else await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = (error as Error).message || String((error as { code?: unknown }).code);
    throw new Error(
      `could not connect to PostgreSQL (DATABASE_URL=${redactDatabaseUrl(url)}): ${reason}. ` +
        'Start the server or fix DATABASE_URL.',
      { cause: error },
    );
  }
  const db = new Kysely<BotSchema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    pool,
    schema,
    url: redactDatabaseUrl(url),
    transaction: (fn) => db.transaction().execute(fn),
    readTransaction: (fn) =>
      db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two processes creating it at once: one gets a unique violation on the catalog; the schema exists either way.
    if ((error as { code?: unknown }).code !== '23505') throw error;
  }
}
