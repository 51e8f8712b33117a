/**
 * Model test of the outbox (issue 8), shared by the memory, SQLite and Postgres variants: random sequences of
 * enqueue / enqueueMany / claim / ack (of the version claimed, or an older one) / release / dead-letter / re-drive /
 * crash (a worker loses its in-memory state; its leases become a zombie's) / zombie acks and releases / time passing
 * (leases expiring, retry times coming), run against an {@link UpdateRepository} and against {@link OutboxModel}, a
 * reference written from the contract (src/repositories/update-repository.ts), not from an adapter.
 *
 * After every step the repository must agree with the model (each call's result, and every row), and the invariants
 * the contract promises are checked on their own, from what was observed rather than from the model:
 * - a claim never returns a row leased by someone else whose lease has not expired;
 * - an ack with a stale lease or an older version never deletes (or changes) a newer version;
 * - the body (and version) claimed is always the newest enqueued for that target;
 * - nothing accepted is lost: at the end, after a drain, every target's newest version was acknowledged `done`
 *   (or was a delete of a create never attempted, which the contract drops).
 *
 * Time is the database clock, injected by each harness (a FakeClock for memory; an overridden `unixepoch()` for
 * SQLite, a `clock_timestamp()` found first on the `search_path` for Postgres), so lease expiry is exact and runs do
 * not sleep.
 */
import fc from 'fast-check';
import { compareCodePoints } from '../../src/util/compare-code-points.js';
import { expect } from 'vitest';
import type {
  AckResult,
  ClaimedRow,
  DesiredState,
  OutboxRow,
  OutboxUpsert,
  UpdateRepository,
} from '../../src/repositories/update-repository.js';

/** What a variant provides: a repository on an empty outbox and control of its database clock. */
export interface OutboxHarness {
  repository: UpdateRepository;
  /** The database clock, in ms. */
  now(): number;
  /** Moves the database clock forward. */
  advance(ms: number): Promise<void>;
  /** A crash of the process: a new repository object on the same storage (durable adapters), or the same one. */
  reopen(): Promise<void>;
  /** Frees what the run used. */
  dispose(): Promise<void>;
}

/** A fresh harness per run. */
export type OutboxHarnessFactory = () => Promise<OutboxHarness>;

// ------------------------------------------------------------------------------------------------ targets

interface TargetSpec {
  readonly key: string;
  readonly messageId: string | null;
  readonly managedKey: string | null;
}

/**
 * The targets the runs use: messages, managed keys and an anonymous create. Two managed keys differ only in a BMP
 * character above the surrogates (U+FF5E) and an astral one (U+1F600): UTF-16 order (`compareRows`, JavaScript's
 * `<`) and code-point order (SQLite BINARY, Postgres "C") disagree on them; runs leave them out unless they ask for
 * them ({@link ORDER_SENSITIVE_TARGETS}).
 */
export const TARGETS: readonly TargetSpec[] = [
  { key: 'm:300000000000000001', messageId: '300000000000000001', managedKey: null },
  { key: 'm:300000000000000002', messageId: '300000000000000002', managedKey: null },
  { key: 'k:board', messageId: null, managedKey: 'board' },
  { key: 'k:équipe', messageId: null, managedKey: 'équipe' },
  { key: 'c:anon-1', messageId: null, managedKey: null },
  { key: 'k:item-\uff5e', messageId: null, managedKey: 'item-\uff5e' },
  { key: 'k:item-\u{1f600}', messageId: null, managedKey: 'item-\u{1f600}' },
];

/** Indices into {@link TARGETS} of the keys whose relative order differs between UTF-16 and code-point comparison. */
export const ORDER_SENSITIVE_TARGETS: readonly number[] = [5, 6];
/** The default pool: every target but the order-sensitive ones. */
export const DEFAULT_TARGETS: readonly number[] = [0, 1, 2, 3, 4];

const CHANNEL = '100000000000000001';
const SHORT_LEASE_MS = 1_000;
const LONG_LEASE_MS = 60_000;

// ------------------------------------------------------------------------------------------------ actions

interface EnqueueAction {
  readonly t: 'enqueue';
  readonly target: number;
  readonly desired: DesiredState;
  readonly priority: number;
  /** Client enqueue time, from a small set so that ties (and the key tie-break) happen. */
  readonly enqueuedAt: number;
  readonly deadlineAt: number | null;
}

export type OutboxAction =
  | EnqueueAction
  | { readonly t: 'enqueueMany'; readonly items: readonly EnqueueAction[] }
  | {
      readonly t: 'claim';
      readonly worker: number;
      readonly limit: number;
      readonly lease: 'short' | 'long';
      readonly only: readonly number[] | null;
    }
  | {
      readonly t: 'ack';
      readonly worker: number;
      readonly pick: number;
      readonly older: boolean;
      readonly learnId: boolean;
    }
  | {
      readonly t: 'release';
      readonly worker: number;
      readonly pick: number;
      readonly retryInMs: number;
      readonly learnId: boolean;
    }
  | { readonly t: 'deadLetter'; readonly worker: number; readonly pick: number }
  | { readonly t: 'redrive'; readonly target: number }
  | { readonly t: 'crash'; readonly worker: number }
  | { readonly t: 'zombie'; readonly pick: number; readonly op: 'ack' | 'ackOlder' | 'release' | 'deadLetter' }
  | { readonly t: 'advance'; readonly ms: number };

const WORKERS = 3;

function enqueueArb(targets: readonly number[]): fc.Arbitrary<EnqueueAction> {
  return fc.record({
    t: fc.constant('enqueue' as const),
    target: fc.constantFrom(...targets),
    desired: fc.constantFrom<DesiredState>('present', 'present', 'present', 'absent'),
    priority: fc.constantFrom(0, 1, 1, 2, 3),
    enqueuedAt: fc.constantFrom(1000, 1000, 2000, 3000),
    deadlineAt: fc.option(fc.constantFrom(5000, 9000), { freq: 3 }),
  });
}

/** Random action sequences over the targets `targets` (indices into {@link TARGETS}). */
export function outboxActionsArb(targets: readonly number[] = DEFAULT_TARGETS): fc.Arbitrary<OutboxAction[]> {
  const worker = fc.nat({ max: WORKERS - 1 });
  const pick = fc.nat({ max: 7 });
  const action: fc.Arbitrary<OutboxAction> = fc.oneof(
    { weight: 8, arbitrary: enqueueArb(targets) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('enqueueMany' as const),
        items: fc.array(enqueueArb(targets), { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        t: fc.constant('claim' as const),
        worker,
        limit: fc.constantFrom(0, 1, 1, 2, 3, 10),
        lease: fc.constantFrom<'short' | 'long'>('short', 'long'),
        only: fc.option(fc.uniqueArray(fc.constantFrom(...targets), { maxLength: 3 }), { freq: 3 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant('ack' as const),
        worker,
        pick,
        older: fc.boolean(),
        learnId: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('release' as const),
        worker,
        pick,
        retryInMs: fc.constantFrom(0, 500, 5000),
        learnId: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('deadLetter' as const), worker, pick }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('redrive' as const), target: fc.constantFrom(...targets) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), worker }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('zombie' as const),
        pick,
        op: fc.constantFrom<'ack' | 'ackOlder' | 'release' | 'deadLetter'>('ack', 'ackOlder', 'release', 'deadLetter'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(1, 400, 1000, 6000) }),
    },
  );
  return fc.array(action, { maxLength: 40 });
}

// ------------------------------------------------------------------------------------------------ the model

type ModelRow = { -readonly [K in keyof OutboxRow]: OutboxRow[K] };

/**
 * The contract's outbox, in memory. Lease tokens and nonces are the adapter's to choose: the model learns them from
 * the first claim that shows them and checks them from then on.
 */
export class OutboxModel {
  public readonly rows = new Map<string, ModelRow>();
  readonly #now: () => number;

  public constructor(now: () => number) {
    this.#now = now;
  }

  public upsert(update: OutboxUpsert): number {
    const existing = this.rows.get(update.targetKey);
    const now = this.#now();
    if (!existing) {
      if (update.desired === 'absent' && update.messageId === null) return 0; // deleting what was never created
      this.rows.set(update.targetKey, {
        targetKey: update.targetKey,
        desired: update.desired,
        channelId: update.channelId,
        messageId: update.messageId,
        managedKey: update.managedKey,
        body: update.desired === 'present' ? update.body : null,
        priority: update.priority,
        enqueuedAt: update.enqueuedAt,
        deadlineAt: update.deadlineAt,
        version: 1,
        nonce: null,
        nonceVersion: null,
        attempts: 0,
        notBefore: 0,
        leaseToken: null,
        leaseExpiresAt: null,
        lastError: null,
        deadAt: null,
      });
      return 1;
    }
    const version = existing.version + 1;
    const leased = existing.leaseToken !== null && (existing.leaseExpiresAt ?? 0) > now;
    if (
      update.desired === 'absent' &&
      existing.messageId === null &&
      update.messageId === null &&
      existing.nonce === null &&
      !leased
    ) {
      this.rows.delete(update.targetKey); // the create was never attempted: dropping it is the whole delete
      return version;
    }
    existing.desired = update.desired;
    existing.body = update.desired === 'present' ? update.body : null;
    existing.messageId ??= update.messageId;
    existing.managedKey = update.managedKey ?? existing.managedKey;
    existing.priority = Math.max(existing.priority, update.priority);
    existing.enqueuedAt = Math.min(existing.enqueuedAt, update.enqueuedAt);
    existing.deadlineAt =
      existing.deadlineAt === null || update.deadlineAt === null
        ? null
        : Math.max(existing.deadlineAt, update.deadlineAt);
    existing.version = version;
    if (existing.deadAt !== null) {
      existing.deadAt = null;
      existing.attempts = 0;
      existing.notBefore = 0;
    }
    return version;
  }

  /** The keys a claim must return, best first (the contract's `compareRows` order). */
  public claimable(limit: number, only: readonly string[] | undefined, compare: RowOrder): string[] {
    const now = this.#now();
    return [...this.rows.values()]
      .filter(
        (row) =>
          row.deadAt === null &&
          (row.leaseToken === null || (row.leaseExpiresAt ?? 0) <= now) &&
          row.notBefore <= now &&
          (only === undefined || only.includes(row.targetKey)),
      )
      .sort(compare)
      .slice(0, Math.max(0, limit))
      .map((row) => row.targetKey);
  }

  /** Applies a claim the adapter made (already checked to be the right keys), learning its tokens and nonces. */
  public applyClaim(claimed: readonly ClaimedRow[], leaseMs: number): void {
    const now = this.#now();
    for (const row of claimed) {
      const model = this.rows.get(row.targetKey)!;
      model.leaseToken = row.leaseToken;
      model.leaseExpiresAt = now + leaseMs;
      if (model.desired === 'present' && model.messageId === null && model.nonce === null) {
        expect(row.nonce, `a claim of ${row.targetKey}, which needs a create, carries a new nonce`).toMatch(/^nonce-/);
        model.nonce = row.nonce;
        model.nonceVersion = model.version;
      }
    }
  }

  public ack(key: string, token: string, version: number, messageId: string | null): AckResult {
    const row = this.rows.get(key);
    if (!row || row.leaseToken !== token) return 'lost';
    if (row.version === version) {
      this.rows.delete(key);
      return 'done';
    }
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.attempts = 0;
    row.notBefore = 0;
    this.#learnId(row, messageId);
    return 'newer';
  }

  public release(key: string, token: string, attempts: number, retryInMs: number, error: string, id: string | null) {
    const row = this.rows.get(key);
    if (!row || row.leaseToken !== token) return false;
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.attempts = attempts;
    row.notBefore = this.#now() + retryInMs;
    row.lastError = error;
    this.#learnId(row, id);
    return true;
  }

  public deadLetter(key: string, token: string, error: string): boolean {
    const row = this.rows.get(key);
    if (!row || row.leaseToken !== token) return false;
    row.leaseToken = null;
    row.leaseExpiresAt = null;
    row.deadAt = this.#now();
    row.lastError = error;
    return true;
  }

  public redrive(key: string): boolean {
    const row = this.rows.get(key);
    if (!row || row.deadAt === null) return false;
    row.deadAt = null;
    row.attempts = 0;
    row.notBefore = 0;
    return true;
  }

  #learnId(row: ModelRow, messageId: string | null): void {
    if (row.messageId === null && messageId) {
      row.messageId = messageId;
      row.nonce = null;
      row.nonceVersion = null;
    }
  }
}

/** An order of rows for claims. */
export type RowOrder = (a: OutboxRow, b: OutboxRow) => number;

/** The contract's order: `compareRows` (priority, enqueue time, then the key in JavaScript's UTF-16 order). */
export function contractOrder(a: OutboxRow, b: OutboxRow): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || compareCodePoints(a.targetKey, b.targetKey);
}

// ------------------------------------------------------------------------------------------------ the runner

interface Held {
  readonly key: string;
  readonly token: string;
  readonly version: number;
}

/** Options of {@link runOutboxModel}. */
export interface OutboxRunOptions {
  /** The order claims are expected in (default: the contract's). */
  readonly order?: RowOrder;
}

/**
 * Runs one action sequence against a harness and the model.
 *
 * @throws the first disagreement or broken invariant (an expect failure)
 */
export async function runOutboxModel(
  harness: OutboxHarness,
  actions: readonly OutboxAction[],
  { order = contractOrder }: OutboxRunOptions = {},
): Promise<void> {
  const model = new OutboxModel(() => harness.now());
  const held: Held[][] = Array.from({ length: WORKERS }, () => []);
  const zombies: Held[] = [];
  /** Leases observed and not yet given back: the invariant "never claimed while someone else's lease runs". */
  const liveLeases = new Map<string, { token: string; expiresAt: number }>();
  /** The newest state enqueued per target, as the adapter numbered it. */
  const newest = new Map<string, { version: number; body: unknown; desired: DesiredState; delivered: boolean }>();
  const tokensSeen = new Set<string>();
  let bodyCounter = 0;
  let nonceCounter = 0;
  let idCounter = 0;
  const newNonce = (): string => `nonce-${++nonceCounter}`;
  const repo = (): UpdateRepository => harness.repository;

  const upsertOf = (action: EnqueueAction): OutboxUpsert => {
    const spec = TARGETS[action.target]!;
    bodyCounter++;
    return {
      targetKey: spec.key,
      desired: action.desired,
      channelId: CHANNEL,
      messageId: spec.messageId,
      managedKey: spec.managedKey,
      body: action.desired === 'present' ? { content: `${spec.key} #${bodyCounter}`, n: bodyCounter } : null,
      priority: action.priority,
      enqueuedAt: action.enqueuedAt,
      deadlineAt: action.deadlineAt,
    };
  };

  const noteEnqueued = (update: OutboxUpsert, version: number): void => {
    if (version === 0) {
      newest.delete(update.targetKey);
      return;
    }
    newest.set(update.targetKey, { version, body: update.body, desired: update.desired, delivered: false });
  };

  /** The row after an ack that did not delete it: it still holds the newest version, untouched. */
  const expectNewestKept = async (key: string, what: string): Promise<void> => {
    const latest = newest.get(key);
    const row = await repo().getRow(key);
    if (latest && model.rows.has(key)) {
      expect(row, `${what}: the row of ${key} is kept`).toBeDefined();
      expect(row!.version, `${what}: the newest version of ${key} is kept`).toBe(latest.version);
      expect(row!.body, `${what}: the newest body of ${key} is kept`).toEqual(latest.body);
    }
  };

  const give = (key: string, token: string): void => {
    if (liveLeases.get(key)?.token === token) liveLeases.delete(key);
  };

  const ack = async (h: Held, version: number, messageId: string | null): Promise<void> => {
    const expected = model.ack(h.key, h.token, version, messageId);
    const result = await repo().ack({ targetKey: h.key, leaseToken: h.token, version, messageId });
    expect(result, `ack(${h.key}, v${version}) answers as the contract says`).toBe(expected);
    if (result === 'done') {
      const latest = newest.get(h.key);
      expect(latest?.version, `a 'done' ack of ${h.key} is of its newest version`).toBe(version);
      if (latest) latest.delivered = true;
      give(h.key, h.token);
    } else {
      if (result === 'newer') give(h.key, h.token);
      await expectNewestKept(h.key, `after an ack answered '${result}'`);
    }
  };

  const step = async (action: OutboxAction): Promise<void> => {
    switch (action.t) {
      case 'enqueue': {
        const update = upsertOf(action);
        const expected = model.upsert(update);
        const { version } = await repo().enqueue(update);
        expect(version, `enqueue(${update.targetKey}) returns the new version`).toBe(expected);
        noteEnqueued(update, version);
        return;
      }
      case 'enqueueMany': {
        const updates = action.items.map(upsertOf);
        const expected = updates.map((update) => model.upsert(update));
        const versions = await repo().enqueueMany(updates);
        expect(
          versions.map((v) => v.version),
          'enqueueMany returns each new version, in order',
        ).toEqual(expected);
        updates.forEach((update, i) => noteEnqueued(update, versions[i]!.version));
        return;
      }
      case 'claim': {
        const leaseMs = action.lease === 'short' ? SHORT_LEASE_MS : LONG_LEASE_MS;
        const only = action.only?.map((index) => TARGETS[index]!.key);
        const expectedKeys = model.claimable(action.limit, only, order);
        const now = harness.now();
        const claimed = await repo().claim({
          limit: action.limit,
          leaseMs,
          newNonce,
          ...(only === undefined ? {} : { targetKeys: only }),
        });
        expect(
          claimed.map((row) => row.targetKey),
          'claim returns the claimable rows, best first',
        ).toEqual(expectedKeys);
        for (const row of claimed) {
          const lease = liveLeases.get(row.targetKey);
          expect(
            lease === undefined || lease.expiresAt <= now,
            `claim of ${row.targetKey}: no one else's unexpired lease (ends ${lease?.expiresAt}, now ${now})`,
          ).toBe(true);
          expect(tokensSeen.has(row.leaseToken), 'every claim gets a fresh lease token').toBe(false);
          tokensSeen.add(row.leaseToken);
          expect(row.leaseExpiresAt, 'the lease runs leaseMs from the database clock').toBe(now + leaseMs);
          const latest = newest.get(row.targetKey);
          expect(row.version, `the version claimed of ${row.targetKey} is the newest`).toBe(latest?.version);
          expect(row.body, `the body claimed of ${row.targetKey} is the newest enqueued`).toEqual(latest?.body);
          liveLeases.set(row.targetKey, { token: row.leaseToken, expiresAt: now + leaseMs });
          held[action.worker]!.push({ key: row.targetKey, token: row.leaseToken, version: row.version });
        }
        model.applyClaim(claimed, leaseMs);
        return;
      }
      case 'ack': {
        const mine = held[action.worker]!;
        if (mine.length === 0) return;
        const [h] = mine.splice(action.pick % mine.length, 1);
        const version = action.older && h!.version > 1 ? h!.version - 1 : h!.version;
        await ack(h!, version, action.learnId ? `4000000000000000${String(++idCounter).padStart(2, '0')}` : null);
        return;
      }
      case 'release': {
        const mine = held[action.worker]!;
        if (mine.length === 0) return;
        const [h] = mine.splice(action.pick % mine.length, 1);
        const id = action.learnId ? `5000000000000000${String(++idCounter).padStart(2, '0')}` : null;
        const expected = model.release(h!.key, h!.token, 2, action.retryInMs, '502 Bad Gateway', id);
        const result = await repo().release({
          targetKey: h!.key,
          leaseToken: h!.token,
          attempts: 2,
          retryInMs: action.retryInMs,
          error: '502 Bad Gateway',
          messageId: id,
        });
        expect(result, `release(${h!.key}) answers as the contract says`).toBe(expected);
        if (result) give(h!.key, h!.token);
        else await expectNewestKept(h!.key, 'after a lost release');
        return;
      }
      case 'deadLetter': {
        const mine = held[action.worker]!;
        if (mine.length === 0) return;
        const [h] = mine.splice(action.pick % mine.length, 1);
        const expected = model.deadLetter(h!.key, h!.token, '403 Missing Access');
        const result = await repo().deadLetter({
          targetKey: h!.key,
          leaseToken: h!.token,
          error: '403 Missing Access',
        });
        expect(result, `deadLetter(${h!.key}) answers as the contract says`).toBe(expected);
        if (result) give(h!.key, h!.token);
        return;
      }
      case 'redrive': {
        const key = TARGETS[action.target]!.key;
        expect(await repo().redrive(key), `redrive(${key})`).toBe(model.redrive(key));
        return;
      }
      case 'crash': {
        zombies.push(...held[action.worker]!.splice(0));
        await harness.reopen();
        return;
      }
      case 'zombie': {
        if (zombies.length === 0) return;
        const h = zombies[action.pick % zombies.length]!;
        if (action.op === 'ack' || action.op === 'ackOlder') {
          await ack(h, action.op === 'ackOlder' && h.version > 1 ? h.version - 1 : h.version, null);
        } else if (action.op === 'release') {
          const expected = model.release(h.key, h.token, 1, 0, 'zombie', null);
          const result = await repo().release({
            targetKey: h.key,
            leaseToken: h.token,
            attempts: 1,
            retryInMs: 0,
            error: 'zombie',
          });
          expect(result, `zombie release(${h.key})`).toBe(expected);
          if (result) give(h.key, h.token);
          else await expectNewestKept(h.key, 'after a zombie release');
        } else {
          const expected = model.deadLetter(h.key, h.token, 'zombie');
          const result = await repo().deadLetter({ targetKey: h.key, leaseToken: h.token, error: 'zombie' });
          expect(result, `zombie deadLetter(${h.key})`).toBe(expected);
          if (result) give(h.key, h.token);
        }
        return;
      }
      case 'advance':
        await harness.advance(action.ms);
        return;
    }
  };

  for (const action of actions) {
    await step(action);
    await expectSameRows(repo(), model);
  }

  // Drain: every lease and retry time passes, dead letters are re-driven, and whatever is left is claimed and acked.
  await harness.advance(2 * 3_600_000);
  for (const dead of await repo().listDeadLetters()) {
    expect(await repo().redrive(dead.targetKey)).toBe(model.redrive(dead.targetKey));
  }
  for (let round = 0; round < 5; round++) {
    const expectedKeys = model.claimable(100, undefined, order);
    const claimed = await repo().claim({ limit: 100, leaseMs: LONG_LEASE_MS, newNonce });
    expect(
      claimed.map((row) => row.targetKey),
      'drain: claim returns every row, best first',
    ).toEqual(expectedKeys);
    model.applyClaim(claimed, LONG_LEASE_MS);
    if (claimed.length === 0) break;
    for (const row of claimed) {
      expect(row.body, `drain: the body claimed of ${row.targetKey} is the newest`).toEqual(
        newest.get(row.targetKey)?.body,
      );
      await ack({ key: row.targetKey, token: row.leaseToken, version: row.version }, row.version, null);
    }
  }
  expect(await repo().listPending(), 'drain: nothing left').toEqual([]);
  // Nothing accepted is lost: every target's newest version was acknowledged done, unless it was a delete of a
  // create never attempted (which the contract drops: there is nothing to delete).
  for (const [key, latest] of newest) {
    if (!latest.delivered) {
      expect(latest.desired, `the newest version of ${key} was delivered, or dropped as a delete of nothing`).toBe(
        'absent',
      );
    }
  }
}

/** Every row the repository holds equals the model's (listPending, listDeadLetters and getRow agree). */
async function expectSameRows(repository: UpdateRepository, model: OutboxModel): Promise<void> {
  const pending = await repository.listPending();
  const dead = await repository.listDeadLetters();
  const actual = new Map<string, OutboxRow>();
  for (const row of [...pending, ...dead]) actual.set(row.targetKey, row);
  const expected = [...model.rows.values()].sort((a, b) => (a.targetKey < b.targetKey ? -1 : 1));
  const got = [...actual.values()].sort((a, b) => (a.targetKey < b.targetKey ? -1 : 1));
  expect(got.map(normalise), 'the stored rows are the model rows').toEqual(expected.map(normalise));
  expect(dead.every((row) => row.deadAt !== null) && pending.every((row) => row.deadAt === null)).toBe(true);
}

/** A row as compared: every field, in a fixed shape. */
function normalise(row: OutboxRow): Record<string, unknown> {
  return {
    targetKey: row.targetKey,
    desired: row.desired,
    channelId: row.channelId,
    messageId: row.messageId,
    managedKey: row.managedKey,
    body: row.body,
    priority: row.priority,
    enqueuedAt: row.enqueuedAt,
    deadlineAt: row.deadlineAt,
    version: row.version,
    nonce: row.nonce,
    nonceVersion: row.nonceVersion,
    attempts: row.attempts,
    notBefore: row.notBefore,
    leaseToken: row.leaseToken,
    leaseExpiresAt: row.leaseExpiresAt,
    lastError: row.lastError,
    deadAt: row.deadAt,
  };
}

/**
 * The property: for every action sequence, {@link runOutboxModel} passes on a fresh harness.
 *
 * @param factory - a fresh harness per run
 * @param params - fixed seed (deterministic runs) and number of runs
 */
export async function assertOutboxModel(
  factory: OutboxHarnessFactory,
  params: {
    readonly seed: number;
    readonly numRuns: number;
    readonly targets?: readonly number[];
    readonly order?: RowOrder;
  },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(outboxActionsArb(params.targets), async (actions) => {
      const harness = await factory();
      try {
        await runOutboxModel(harness, actions, params.order === undefined ? {} : { order: params.order });
      } finally {
        await harness.dispose();
      }
    }),
    { seed: params.seed, numRuns: params.numRuns },
  );
}

/**
 * Checks that a harness's repository runs on its fake database clock: a lease taken right after start expires
 * `leaseMs` after the fake time, not the real one.
 *
 * @param factory - the dialect's harness
 * @param expectedExpiry - the fake start time plus 1,000 ms
 */
export async function expectFakeDatabaseClock(factory: OutboxHarnessFactory, expectedExpiry: number): Promise<void> {
  const harness = await factory();
  await harness.repository.enqueue({
    targetKey: 'k:clock',
    desired: 'present',
    channelId: '100000000000000001',
    messageId: null,
    managedKey: 'clock',
    body: { content: 'x' },
    priority: 1,
    enqueuedAt: 1,
    deadlineAt: null,
  });
  const [row] = await harness.repository.claim({ limit: 1, leaseMs: 1000, newNonce: () => 'n' });
  expect(row?.leaseExpiresAt).toBe(expectedExpiry);
  await harness.dispose();
}
