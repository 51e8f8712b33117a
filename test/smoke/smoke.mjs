// Imports the built package (dist/) through its public subpaths, as an ESM user would.
import assert from 'node:assert/strict';
import * as root from 'discord-update-manager';
import * as testing from 'discord-update-manager/testing';
import * as sqlite from 'discord-update-manager/sqlite';
import * as postgres from 'discord-update-manager/postgres';
import * as redis from 'discord-update-manager/redis';
import * as prometheus from 'discord-update-manager/prometheus';

assert.equal(typeof root.MessageUpdateManager, 'function');
assert.equal(typeof root.InMemoryMetricsCollector, 'function');
assert.equal(root.UpdatePriority.Critical, 3);
assert.equal(root.DEFAULT_RATE_LIMIT_CONFIG.batchSize, 10);
assert.equal(typeof testing.DiscordSimulator, 'function');
assert.equal(typeof testing.FakeClock, 'function');

// instanceof must hold across entries: an error thrown by the testing entry is the root entry's class.
let caught;
try {
  new testing.DiscordSimulator({ timeScale: -1 });
} catch (error) {
  caught = error;
}
assert.ok(caught instanceof root.MessageUpdateError, 'testing errors are instances of the root MessageUpdateError');
assert.ok(caught instanceof root.InvalidConfigError);

// A real round trip through the built code: manager -> simulator.
const sim = await new testing.DiscordSimulator().start();
try {
  const channel = sim.createChannel({ name: 'smoke' });
  const metrics = new prometheus.PrometheusMetricsCollector();
  const manager = new root.MessageUpdateManager({ transport: new testing.SimulatorTransport(sim), metrics });
  await manager.start();
  const created = await manager.create(channel.id, { content: 'hello' });
  assert.equal(created.outcome, 'sent');
  const edited = await manager.edit(channel.id, created.messageId, { content: 'hello again' });
  assert.equal(edited.outcome, 'sent');
  assert.equal(sim.getMessage(channel.id, created.messageId).content, 'hello again');
  const exposition = await metrics.metrics();
  assert.match(exposition, /^discord_update_manager_updates_total\{outcome="sent",kind="edit"\} 1$/m);
  assert.match(
    exposition,
    /^discord_update_manager_requests_total\{method="POST",route_family="messages",status="200"\} 1$/m,
  );
  let promError;
  try {
    new prometheus.PrometheusMetricsCollector({ labels: { le: '1' } });
  } catch (error) {
    promError = error;
  }
  assert.ok(
    promError instanceof root.InvalidConfigError,
    'prometheus errors are instances of the root InvalidConfigError',
  );
  await manager.stop();
} finally {
  await sim.close();
}
// The persistence subpaths: classes load, their errors are the root's classes, and SQLite works end to end.
assert.equal(typeof sqlite.SqliteUpdateRepository, 'function');
assert.equal(typeof postgres.PostgresUpdateRepository, 'function');
assert.equal(typeof redis.RedisRateLimitStore, 'function');
let redisError;
try {
  new redis.RedisRateLimitStore({});
} catch (error) {
  redisError = error;
}
assert.ok(redisError instanceof root.InvalidConfigError, 'redis errors are instances of the root InvalidConfigError');
let configError;
try {
  new postgres.PostgresUpdateRepository({ connectionString: 'postgres://127.0.0.1/x', schema: 'Not An Identifier' });
} catch (error) {
  configError = error;
}
assert.ok(
  configError instanceof root.InvalidConfigError,
  'postgres errors are instances of the root InvalidConfigError',
);
const { mkdtempSync, rmSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
const folder = mkdtempSync(join(tmpdir(), 'dum-smoke-'));
try {
  const repository = new sqlite.SqliteUpdateRepository({ filename: join(folder, 'smoke.db') });
  await repository.migrate();
  const { version } = await repository.enqueue({
    targetKey: 'k:smoke',
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: 'smoke',
    body: { content: 'x' },
    priority: 1,
    enqueuedAt: Date.now(),
    deadlineAt: null,
  });
  assert.equal(version, 1);
  await repository.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log('smoke (ESM): ok');
