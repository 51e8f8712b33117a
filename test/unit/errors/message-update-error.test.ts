import { describe, expect, it } from 'vitest';
import * as api from '../../../src/index.js';
import {
  ErrorCodes,
  InvalidConfigError,
  ManagerClosedError,
  MessageUpdateError,
  MissingPeerDependencyError,
  RepositoryClosedError,
  SchemaVersionError,
} from '../../../src/errors/message-update-error.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123';

describe('the errors callers branch on', () => {
  it('are exported from the package root with their own codes; RateLimitError is gone', () => {
    expect(api.MissingPeerDependencyError).toBe(MissingPeerDependencyError);
    expect(api.SchemaVersionError).toBe(SchemaVersionError);
    expect(api.RepositoryClosedError).toBe(RepositoryClosedError);
    expect(api.ErrorCodes).toMatchObject({
      MissingPeerDependency: 'MISSING_PEER_DEPENDENCY',
      SchemaVersion: 'SCHEMA_VERSION',
      RepositoryClosed: 'REPOSITORY_CLOSED',
    });
    expect('RateLimitError' in api).toBe(false);
    expect(Object.values(ErrorCodes)).not.toContain('RATE_LIMITED');
    // One code per class: no two share one.
    expect(new Set(Object.values(ErrorCodes)).size).toBe(Object.values(ErrorCodes).length);
  });

  it('are direct subclasses of MessageUpdateError, not of InvalidConfigError or ManagerClosedError', () => {
    const errors = [
      new MissingPeerDependencyError('pg', 'PostgresUpdateRepository'),
      new SchemaVersionError('the SQLite database a.db', 1, 2, 'older'),
      new RepositoryClosedError('MemoryUpdateRepository', 'enqueue'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(MessageUpdateError);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(InvalidConfigError);
      expect(error).not.toBeInstanceOf(ManagerClosedError);
      expect(Object.getPrototypeOf(Object.getPrototypeOf(error))).toBe(MessageUpdateError.prototype);
      expect(error.name).toBe(error.constructor.name);
      expect(error.stack).toContain(error.name);
    }
  });

  describe('MissingPeerDependencyError', () => {
    it('names the package, the feature and the install command, and keeps the cause', () => {
      const cause = new Error("Cannot find package 'better-sqlite3'");
      const error = new MissingPeerDependencyError('better-sqlite3', 'SqliteUpdateRepository with a `filename`', {
        version: '12',
        alternative: 'pass a `driver`',
        cause,
      });
      expect(error).toMatchObject({
        code: 'MISSING_PEER_DEPENDENCY',
        name: 'MissingPeerDependencyError',
        packageName: 'better-sqlite3',
        feature: 'SqliteUpdateRepository with a `filename`',
        installCommand: 'npm install better-sqlite3@12',
      });
      expect(error.cause).toBe(cause);
      expect(error.message).toBe(
        'SqliteUpdateRepository with a `filename` could not load better-sqlite3, an optional peer dependency it ' +
          'needs: install better-sqlite3 (npm install better-sqlite3@12), or pass a `driver`. ' +
          "Loading failed with: Cannot find package 'better-sqlite3'",
      );
    });

    it('says what is wrong with a package that loaded, and works with no details', () => {
      expect(
        new MissingPeerDependencyError('pg', 'X', { problem: 'it did not export a Pool constructor' }).message,
      ).toBe(
        'X could not use pg, an optional peer dependency it needs (it did not export a Pool constructor): install pg ' +
          '(npm install pg).',
      );
      const bare = new MissingPeerDependencyError('ioredis', 'RedisRateLimitStore');
      expect(bare.message).toBe(
        'RedisRateLimitStore could not load ioredis, an optional peer dependency it needs: install ioredis (npm install ioredis).',
      );
      expect(bare.installCommand).toBe('npm install ioredis');
      expect('cause' in bare).toBe(false);
    });

    it('masks a token in the loader error it quotes', () => {
      const error = new MissingPeerDependencyError('pg', 'X', { cause: new Error(`failed near ${TOKEN}`) });
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).toContain('failed near [token]');
    });
  });

  describe('SchemaVersionError', () => {
    it('tells an older schema to run migrate(), naming the database and both versions', () => {
      const error = new SchemaVersionError('the PostgreSQL schema `my_bot`', 1, 3, 'older');
      expect(error).toMatchObject({
        code: 'SCHEMA_VERSION',
        name: 'SchemaVersionError',
        found: 1,
        expected: 3,
        direction: 'older',
        database: 'the PostgreSQL schema `my_bot`',
      });
      expect(error.message).toBe(
        'The PostgreSQL schema `my_bot` has schema version 1, but this release of discord-update-manager needs ' +
          'version 3: call `await repository.migrate()` before using the repository.',
      );
    });

    it('tells a newer schema to upgrade the package, and never to migrate', () => {
      const error = new SchemaVersionError('the SQLite database ./data/updates.db', 5, 2, 'newer');
      expect(error).toMatchObject({ found: 5, expected: 2, direction: 'newer' });
      expect(error.message).toBe(
        'The SQLite database ./data/updates.db has schema version 5, but this release of discord-update-manager ' +
          'supports schema versions up to 2: a newer release migrated it. Upgrade discord-update-manager (to the ' +
          'release that migrated it, or later) in every process using it.',
      );
      expect(error.message).not.toMatch(/migrate\(\)/);
    });

    it('accepts an unknown version (null), saying why it could not be read', () => {
      const cause = new Error('relation "my_bot.outbox" does not exist');
      const error = new SchemaVersionError('the PostgreSQL schema `my_bot`', null, 3, 'older', {
        problem: 'its tables are missing',
        cause,
      });
      expect(error).toMatchObject({ found: null, expected: 3, direction: 'older' });
      expect(error.cause).toBe(cause);
      expect(error.message).toBe(
        'The PostgreSQL schema `my_bot` has no schema version that could be read (its tables are missing), but this ' +
          'release of discord-update-manager needs version 3: call `await repository.migrate()` before using the ' +
          'repository.',
      );
      expect(new SchemaVersionError('the SQLite database a.db', 4, null, 'newer').expected).toBeNull();
    });
  });

  describe('RepositoryClosedError', () => {
    it('names the repository, where it was and the call refused', () => {
      const error = new RepositoryClosedError('SqliteUpdateRepository', 'listPending', './data/updates.db');
      expect(error).toMatchObject({
        code: 'REPOSITORY_CLOSED',
        name: 'RepositoryClosedError',
        repository: 'SqliteUpdateRepository',
        action: 'listPending',
      });
      expect(error.message).toBe(
        'Cannot listPending: this SqliteUpdateRepository (./data/updates.db) was closed. ' +
          'Create a new repository to use it again.',
      );
      expect(new RepositoryClosedError('MemoryUpdateRepository', 'enqueue').message).toBe(
        'Cannot enqueue: this MemoryUpdateRepository was closed. Create a new repository to use it again.',
      );
    });
  });
});
