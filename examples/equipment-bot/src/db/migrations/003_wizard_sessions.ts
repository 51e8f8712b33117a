/**
 * Migration 003: `wizard_sessions`, the wizard state of the interaction flows when the bot keeps it in the database
 * (`SESSION_STORE=database`: several bot processes, e.g. one per shard, answering one member's clicks). One row per
 * session: its flow, user and guild, its data as JSON, when it expires, and when it was finished (a final button
 * took it; kept until it expires so that a racing second click is recognised).
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Builds migration 003 (the same on both dialects).
 *
 * @returns the migration
 */
export function wizardSessionsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('wizard_sessions')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('flow', 'text', (column) => column.notNull())
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('guild_id', 'text', (column) => column.notNull())
        .addColumn('data', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('idx_wizard_sessions_expires').on('wizard_sessions').column('expires_at').execute();
    },
  };
}
