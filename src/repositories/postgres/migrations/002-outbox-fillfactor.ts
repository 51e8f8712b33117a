import type { PostgresMigration } from '../postgres-migrations.js';

/**
 * Schema version 2: the outbox leaves 30 % of each page free. A row is updated again and again while it waits
 * (every enqueue of its target, every claim and release) without changing an indexed column, so with room on its page
 * PostgreSQL updates it in place (a HOT update: no new index entries, about half the WAL, dead versions pruned
 * without a vacuum). Only pages written from now on keep the room; existing ones get it as they are rewritten.
 */
export const migration: PostgresMigration = {
  version: 2,
  name: 'outbox-fillfactor',
  sql: `
ALTER TABLE {schema}.outbox SET (fillfactor = 70);
`,
};
