/**
 * Migration 001: the bot's tables, for SQLite and Postgres from one schema-builder description. The only
 * dialect-specific part is the id column (SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`, Postgres identity): both never
 * reuse an id, which the audit log relies on (`equipment_logs.equipment_id` keeps pointing at a deleted item's id).
 * Rules the database itself enforces live here: uniqueness of names per guild, one pending transfer per reservation
 * (a partial unique index), one job per dedupe key, one sent reminder per reservation and kind. The indexes that only
 * make queries fast are migration 002's.
 *
 * @module
 */
import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { BotDialect } from '../database.js';

type ColumnBuilder = (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/**
 * Builds migration 001 for a dialect.
 *
 * @param dialect - the database's dialect
 * @returns the migration
 */
export function initialMigration(dialect: BotDialect): Migration {
  const id: ColumnBuilder =
    dialect === 'sqlite'
      ? (column) => column.primaryKey().autoIncrement()
      : (column) => column.primaryKey().generatedByDefaultAsIdentity();
  const required: ColumnBuilder = (column) => column.notNull();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('guild_settings')
        .addColumn('guild_id', 'text', (column) => column.primaryKey())
        .addColumn('reservation_channel_id', 'text')
        .addColumn('admin_role_ids', 'text', (column) => column.notNull().defaultTo('[]'))
        .addColumn('overdue_repeat_minutes', 'integer', (column) =>
          column
            .notNull()
            .defaultTo(60)
            .check(sql`overdue_repeat_minutes > 0`),
        )
        .addColumn('created_at', 'bigint', required)
        .addColumn('updated_at', 'bigint', required)
        .execute();

      await db.schema
        .createTable('tags')
        .addColumn('id', 'integer', id)
        .addColumn('guild_id', 'text', required)
        .addColumn('name', 'text', required)
        .addColumn('sort_order', 'integer', required)
        .addColumn('created_at', 'bigint', required)
        .addUniqueConstraint('tags_guild_name_uq', ['guild_id', 'name'])
        .execute();

      await db.schema
        .createTable('locations')
        .addColumn('id', 'integer', id)
        .addColumn('guild_id', 'text', required)
        .addColumn('name', 'text', required)
        .addColumn('created_at', 'bigint', required)
        .addUniqueConstraint('locations_guild_name_uq', ['guild_id', 'name'])
        .execute();

      await db.schema
        .createTable('equipment')
        .addColumn('id', 'integer', id)
        .addColumn('guild_id', 'text', required)
        .addColumn('name', 'text', required)
        .addColumn('tag_id', 'integer', (column) => column.references('tags.id').onDelete('set null'))
        .addColumn('unavailable', 'integer', (column) =>
          column
            .notNull()
            .defaultTo(0)
            .check(sql`unavailable IN (0, 1)`),
        )
        .addColumn('unavailable_reason', 'text')
        .addColumn('current_location_id', 'integer', (column) => column.references('locations.id').onDelete('set null'))
        .addColumn('default_return_location_id', 'integer', (column) =>
          column.references('locations.id').onDelete('set null'),
        )
        .addColumn('created_at', 'bigint', required)
        .addUniqueConstraint('equipment_guild_name_uq', ['guild_id', 'name'])
        .execute();

      await db.schema
        .createTable('reservations')
        .addColumn('id', 'integer', id)
        .addColumn('equipment_id', 'integer', (column) =>
          column.notNull().references('equipment.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', required)
        .addColumn('start_at', 'bigint', required)
        .addColumn('end_at', 'bigint', required)
        .addColumn('location_id', 'integer', (column) => column.references('locations.id').onDelete('set null'))
        .addColumn('status', 'text', (column) =>
          column.notNull().check(sql`status IN ('confirmed', 'returned', 'cancelled')`),
        )
        .addColumn('returned_at', 'bigint')
        .addColumn('return_location_id', 'integer', (column) => column.references('locations.id').onDelete('set null'))
        .addColumn('returned_by', 'text')
        .addColumn('created_at', 'bigint', required)
        .addCheckConstraint('reservations_end_after_start', sql`end_at > start_at`)
        .execute();

      await db.schema
        .createTable('equipment_logs')
        .addColumn('id', 'integer', id)
        .addColumn('guild_id', 'text', required)
        // No foreign key: the log outlives the item (its name is kept in equipment_name).
        .addColumn('equipment_id', 'integer')
        .addColumn('equipment_name', 'text')
        .addColumn('user_id', 'text', required)
        .addColumn('action', 'text', required)
        .addColumn('detail', 'text')
        .addColumn('created_at', 'bigint', required)
        .execute();

      await db.schema
        .createTable('transfer_requests')
        .addColumn('id', 'integer', id)
        .addColumn('reservation_id', 'integer', (column) =>
          column.notNull().references('reservations.id').onDelete('cascade'),
        )
        .addColumn('from_user_id', 'text', required)
        .addColumn('to_user_id', 'text', required)
        .addColumn('status', 'text', (column) =>
          column.notNull().check(sql`status IN ('pending', 'approved', 'denied', 'expired')`),
        )
        .addColumn('created_at', 'bigint', required)
        .addColumn('expires_at', 'bigint', required)
        .addColumn('answered_at', 'bigint')
        .execute();
      // One pending request per reservation; the WHERE is a literal so that ON CONFLICT can infer the index.
      await db.schema
        .createIndex('transfer_requests_one_pending_uq')
        .on('transfer_requests')
        .column('reservation_id')
        .unique()
        .where(sql.ref('status'), '=', sql.lit('pending'))
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'integer', id)
        .addColumn('type', 'text', required)
        .addColumn('payload', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('run_at', 'bigint', required)
        .addColumn('status', 'text', (column) =>
          column
            .notNull()
            .defaultTo('pending')
            .check(sql`status IN ('pending', 'running', 'done', 'failed')`),
        )
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('dedupe_key', 'text', (column) => column.unique())
        .addColumn('reservation_id', 'integer', (column) => column.references('reservations.id').onDelete('cascade'))
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', required)
        .addColumn('updated_at', 'bigint', required)
        .execute();

      await db.schema
        .createTable('sent_reminders')
        .addColumn('reservation_id', 'integer', (column) =>
          column.notNull().references('reservations.id').onDelete('cascade'),
        )
        .addColumn('kind', 'text', required)
        .addColumn('sent_at', 'bigint', required)
        .addPrimaryKeyConstraint('sent_reminders_pk', ['reservation_id', 'kind'])
        .execute();
    },
  };
}
