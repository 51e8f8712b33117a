/**
 * Text Postgres cannot store as given (a NUL character; an unpaired surrogate, stored as U+FFFD) is refused when it
 * is enqueued, with a typed error naming the field, and the updates enqueued beside it are stored.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidPayloadError, MessageUpdateManager } from '../../../src/index.js';
import { PostgresUpdateRepository } from '../../../src/repositories/postgres/index.js';
import { CHANNEL, MESSAGE, MESSAGE_2, ScriptedTransport } from '../../helpers/scripted-transport.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { closePostgresTestEnv, postgresTestEnv } from './postgres-test-env.js';

afterAll(async () => {
  await closePostgresTestEnv();
});

const opened: PostgresUpdateRepository[] = [];
afterEach(async () => {
  for (const repository of opened.splice(0)) await repository.close();
  await (await postgresTestEnv()).dropAllSchemas();
});

async function world() {
  const env = await postgresTestEnv();
  const repository = new PostgresUpdateRepository({ connectionString: env.url, schema: await env.createSchemaName() });
  opened.push(repository);
  await repository.migrate();
  const clock = new FakeClock();
  // Not started: what is accepted stays in the outbox, to be read back.
  const manager = new MessageUpdateManager({ transport: new ScriptedTransport(clock), clock, repository });
  return { repository, manager };
}

describe('Text Postgres cannot store', () => {
  it('refuses a NUL character in a key or a body at enqueue, and stores the good updates beside it', async () => {
    const { repository, manager } = await world();
    expect(repository.rejectsNulCharacters).toBe(true);
    const good = manager.edit(CHANNEL, MESSAGE, { content: 'good 1' });
    expect(() => manager.edit(CHANNEL, MESSAGE_2, { embeds: [{ description: 'bad\u0000' }] })).toThrow(
      InvalidPayloadError,
    );
    expect(() => manager.sync('board\u0000', CHANNEL, { content: 'x' })).toThrow(InvalidArgumentError);
    const alsoGood = manager.sync('board', CHANNEL, { content: 'good 2' });
    await Promise.all([good.accepted, alsoGood.accepted]);
    const stored = (await repository.listPending()).map((row) => row.body);
    expect(stored).toEqual(expect.arrayContaining([{ content: 'good 1' }, { content: 'good 2' }]));
    expect(stored).toHaveLength(2);
    await manager.stop({ drain: false });
  });

  it('refuses an unpaired surrogate in a key, so a restart finds the key it stored', async () => {
    const { repository, manager } = await world();
    const name = '🎛️ mixer';
    expect(() => manager.sync(`item:${name.slice(0, 1)}`, CHANNEL, { content: 'x' })).toThrow(
      /key.*no unpaired surrogate/s,
    );
    await manager.sync(`item:${[...name].slice(0, 1).join('')}`, CHANNEL, { content: 'x' }).accepted;
    expect((await repository.listPending()).map((row) => row.managedKey)).toEqual(['item:🎛']);
    await manager.stop({ drain: false });
  });
});
