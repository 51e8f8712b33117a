/**
 * Every repository over one executor (the database or a transaction), so that a service builds them once per
 * transaction: `database.transaction((trx) => { const repos = repositories(trx, database.dialect); ... })`.
 *
 * @module
 */
import type { BotDialect } from './database.js';
import { EquipmentRepository } from './equipment-repository.js';
import { GuildSettingsRepository } from './guild-settings-repository.js';
import { JobRepository } from './job-repository.js';
import { LocationRepository } from './location-repository.js';
import { LogRepository } from './log-repository.js';
import { ReservationRepository } from './reservation-repository.js';
import type { BotExecutor } from './schema.js';
import { SentReminderRepository } from './sent-reminder-repository.js';
import { TagRepository } from './tag-repository.js';
import { TransferRepository } from './transfer-repository.js';

/** The bot's repositories, sharing one executor. */
export interface Repositories {
  readonly guildSettings: GuildSettingsRepository;
  readonly tags: TagRepository;
  readonly locations: LocationRepository;
  readonly equipment: EquipmentRepository;
  readonly reservations: ReservationRepository;
  readonly logs: LogRepository;
  readonly transfers: TransferRepository;
  readonly jobs: JobRepository;
  readonly sentReminders: SentReminderRepository;
}

/**
 * @param db - the database or a transaction
 * @param dialect - its dialect
 * @returns the repositories over it
 */
export function repositories(db: BotExecutor, dialect: BotDialect): Repositories {
  return {
    guildSettings: new GuildSettingsRepository(db),
    tags: new TagRepository(db),
    locations: new LocationRepository(db),
    equipment: new EquipmentRepository(db, dialect),
    reservations: new ReservationRepository(db),
    logs: new LogRepository(db),
    transfers: new TransferRepository(db),
    jobs: new JobRepository(db, dialect),
    sentReminders: new SentReminderRepository(db),
  };
}
