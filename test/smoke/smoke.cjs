// Requires the built package (dist/) through its public subpaths, as a CommonJS user would.
const assert = require('node:assert/strict');
const root = require('discord-update-manager');
const testing = require('discord-update-manager/testing');
const sqlite = require('discord-update-manager/sqlite');
const postgres = require('discord-update-manager/postgres');
const redis = require('discord-update-manager/redis');
const prometheus = require('discord-update-manager/prometheus');

assert.equal(typeof root.MessageUpdateManager, 'function');
assert.equal(root.UpdatePriority.Low, 0);
assert.equal(typeof testing.DiscordSimulator, 'function');
let caught;
try {
  new testing.DiscordSimulator({ timeScale: -1 });
} catch (error) {
  caught = error;
}
assert.ok(caught instanceof root.MessageUpdateError, 'testing errors are instances of the root MessageUpdateError');
assert.equal(typeof sqlite.SqliteUpdateRepository, 'function');
assert.equal(typeof postgres.PostgresUpdateRepository, 'function');
assert.equal(typeof redis.RedisRateLimitStore, 'function');
// prom-client is loaded through the CommonJS build's `import.meta.url` shim; its errors are the root's classes.
assert.ok(new prometheus.PrometheusMetricsCollector() instanceof prometheus.PrometheusMetricsCollector);
assert.throws(() => new prometheus.PrometheusMetricsCollector({ prefix: '1x' }), root.InvalidConfigError);
let configError;
try {
  new sqlite.SqliteUpdateRepository({});
} catch (error) {
  configError = error;
}
assert.ok(configError instanceof root.InvalidConfigError, 'sqlite errors are instances of the root InvalidConfigError');

(async () => {
  const sim = await new testing.DiscordSimulator().start();
  try {
    const channel = sim.createChannel({ name: 'smoke' });
    const manager = new root.MessageUpdateManager({ transport: new testing.SimulatorTransport(sim) });
    await manager.start();
    const created = await manager.create(channel.id, { content: 'hello' });
    assert.equal(created.outcome, 'sent');
    await manager.stop();
  } finally {
    await sim.close();
  }
  console.log('smoke (CJS): ok');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
