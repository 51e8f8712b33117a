/**
 * Opening a SQLite file: loading the optional better-sqlite3 peer, checking the folder, setting the pragmas.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, MessageUpdateError, MissingPeerDependencyError } from '../../errors/message-update-error.js';
import type { SqliteDatabaseLike, SqliteDriver } from './sqlite-database-like.js';

/** How a connection the repository opens is configured. */
export interface SqliteConnectionSettings {
  /** `PRAGMA busy_timeout`, in ms. */
  readonly busyTimeoutMs: number;
  /** `PRAGMA synchronous`. */
  readonly synchronous: 'NORMAL' | 'FULL';
}

/**
 * Loads better-sqlite3 with a dynamic `import()`, which works from the ESM build and, compiled to `require`, from the
 * CommonJS build alike; it runs only when the repository first opens a file, so importing the subpath without the
 * peer installed is harmless.
 *
 * @returns better-sqlite3's `Database` constructor
 * @throws {@link MissingPeerDependencyError} (`MISSING_PEER_DEPENDENCY`) when better-sqlite3 is not installed or not
 *   loadable
 */
export async function loadBetterSqlite3(): Promise<SqliteDriver> {
  let loaded: unknown;
  try {
    loaded = await import('better-sqlite3');
  } catch (error) {
    throw missingBetterSqlite3({ cause: error });
  }
  // ESM sees the CommonJS export as `default`; some bundlers hand over module.exports itself.
  const driver = (loaded as { readonly default?: unknown }).default ?? loaded;
  if (typeof driver !== 'function') throw missingBetterSqlite3({ problem: 'it did not export a Database constructor' });
  return driver as SqliteDriver;
}

function missingBetterSqlite3(details: {
  readonly cause?: unknown;
  readonly problem?: string;
}): MissingPeerDependencyError {
  return new MissingPeerDependencyError('better-sqlite3', 'SqliteUpdateRepository with a `filename`', {
    version: '12',
    alternative: 'pass a `driver` or an opened `database`',
    ...details,
  });
}

/**
 * Explains why a database file cannot be created at `filename`, or returns `undefined` when its folder exists.
 * SQLite creates the file but never its folder.
 *
 * @param filename - the path given as `filename` (`:memory:` and `''`, SQLite's in-memory and temporary databases,
 *   need no folder)
 * @returns the problem, in words, or `undefined`
 */
export function folderProblem(filename: string): string | undefined {
  if (filename === ':memory:' || filename === '') return undefined;
  const folder = dirname(resolve(filename));
  try {
    const stats = statSync(folder, { throwIfNoEntry: false });
    if (stats === undefined) {
      return (
        `The folder ${folder} does not exist: create the folder first ` +
        '(for example with `mkdir -p` or `fs.mkdirSync(folder, { recursive: true })`). No database file was created.'
      );
    }
    if (!stats.isDirectory()) return `${folder} is not a folder. No database file was created.`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `The folder ${folder} cannot be read (${reason}). No database file was created.`;
  }
  return undefined;
}

/**
 * Configures a connection the repository opened itself (a `database` passed in is left as its owner set it).
 *
 * - `busy_timeout`: how long a statement waits for another connection's write lock before failing with
 *   `SQLITE_BUSY`; set first so the pragmas below wait too.
 * - `journal_mode = WAL`: readers never block the writer and the writer never blocks readers; persistent in the file.
 * - `synchronous`: `FULL` (default) syncs the WAL on every commit, so an update accepted by `enqueue()` survives a
 *   power cut or an OS crash; `NORMAL` syncs only at checkpoints, faster, and still safe against a process crash,
 *   but the last commits before a power cut may roll back.
 * - `foreign_keys = ON`: SQLite leaves constraints off by default; on, so later migrations can rely on them.
 *
 * PRAGMA statements take no bound parameters: the only values written into them are a validated integer and one of
 * two literals.
 *
 * @param database - the connection just opened
 * @param settings - the validated settings
 */
export function configureSqliteConnection(database: SqliteDatabaseLike, settings: SqliteConnectionSettings): void {
  database.exec(`PRAGMA busy_timeout = ${settings.busyTimeoutMs}`);
  database.exec('PRAGMA journal_mode = WAL');
  database.exec(`PRAGMA synchronous = ${settings.synchronous}`);
  database.exec('PRAGMA foreign_keys = ON');
}

/**
 * Opens and configures a database file.
 *
 * @param driver - better-sqlite3's `Database` constructor, or a look-alike
 * @param filename - the file to open or create
 * @param settings - the validated settings
 * @returns the open connection (the caller closes it)
 * @throws {@link MessageUpdateError} (`INVALID_CONFIG`) when the folder is missing or the driver cannot open the file
 */
export function openSqliteFile(
  driver: SqliteDriver,
  filename: string,
  settings: SqliteConnectionSettings,
): SqliteDatabaseLike {
  // Checked again here: the folder may have gone since the constructor checked it.
  const problem = folderProblem(filename);
  if (problem !== undefined) {
    throw new MessageUpdateError(ErrorCodes.InvalidConfig, `Cannot open the SQLite database ${filename}. ${problem}`);
  }
  let database: SqliteDatabaseLike;
  try {
    database = new driver(filename, { timeout: settings.busyTimeoutMs });
  } catch (error) {
    throw new MessageUpdateError(
      ErrorCodes.InvalidConfig,
      `Cannot open the SQLite database ${filename}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  try {
    configureSqliteConnection(database, settings);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
