import type { InteractionReply, SimulatedMessage, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogAction } from '../../src/db/log-repository.js';
import { renameEquipment } from '../../src/domain/services/equipment-admin.js';
import { formatJstRange } from '../../src/domain/time.js';
import { FlowText } from '../../src/discord/flows/flow-deps.js';
import { ItemLogText, LOG_PAGE_SIZE } from '../../src/discord/flows/item-log.js';
import { ItemSettingsText as T, nameProblem } from '../../src/discord/flows/item-settings-text.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SETTINGS = "This Equipment's Settings";

interface Embed {
  readonly title?: string;
  readonly description?: string;
  readonly footer?: { readonly text: string };
  readonly fields?: readonly { readonly name: string; readonly value: string }[];
}

/** `YYYY/MM/DD HH:MM` in JST, computed without the bot's code: UTC + 9 h. */
function jst(ms: number): string {
  const iso = new Date(ms + 9 * HOUR).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 16)}`;
}

describe.each(DIALECTS)('per-item settings (%s)', (dialect) => {
  let world: BotWorld;
  let admin: SimulatedUser;
  let drill: number;
  let saw: number;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    admin = world.addAdmin();
    await world.start();
    const tools = await world.repos.tags.create(world.guild.id, 'Tools', world.now(), 1);
    drill = (
      await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill', tagId: tools.id }, world.now())
    ).id;
    saw = (await world.repos.equipment.create({ guildId: world.guild.id, name: 'Saw', tagId: tools.id }, world.now()))
      .id;
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  const embedOf = (message: SimulatedMessage | undefined): Embed => (message?.embeds[0] ?? {}) as Embed;
  const messageTitled = (title: string): SimulatedMessage => {
    const found = world.channel.messages.find((message) => embedOf(message).title === title);
    if (found === undefined) throw new Error(`no message titled ${title}: ${world.titles().join(', ')}`);
    return found;
  };
  const statusOf = (title: string): string | undefined => embedOf(messageTitled(title)).fields?.[0]?.value;
  const open = (user: SimulatedUser, title: string): Promise<InteractionReply> =>
    user.clickButton(messageTitled(title), SETTINGS);
  const labels = (reply: InteractionReply): (string | undefined)[] => reply.components.map((c) => c.label);
  const logs = async (action?: LogAction) =>
    (await world.repos.logs.list({ guildId: world.guild.id, from: 0, to: world.now() + DAY })).filter(
      (entry) => action === undefined || entry.action === action,
    );
  const settled = async () => {
    await world.app.manager.onIdle();
  };

  const reserve = (userId: string, item: number, startAt: number, endAt: number) =>
    world.reserve({ equipmentId: item, userId, startAt, endAt });

  it('32: only server administrators and admin-role members get the menu; a member gets the refusal', async () => {
    const refused = await open(world.alice, '[Tools] Drill');
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toBe(FlowText.adminOnly);
    expect(refused.components).toEqual([]);

    const menu = await open(admin, '[Tools] Drill');
    expect(menu.ephemeral).toBe(true);
    expect(menu.content).toBe(T.menu('[Tools] Drill', 'Available', 'Tools', T.noLocation));
    expect(labels(menu)).toEqual([
      T.changeStateLabel,
      T.renameLabel,
      T.tagLabel,
      T.locationLabel,
      T.logLabel,
      T.deleteLabel,
    ]);

    // A role without any permission, made an admin role of the bot.
    const staff = world.guild.roles.create({ name: 'staff' });
    const carol = world.guild.members.create({ username: 'carol', roles: [staff] });
    expect((await open(carol, '[Tools] Drill')).content).toBe(FlowText.adminOnly);
    await world.repos.guildSettings.setAdminRoleIds(world.guild.id, [staff.id], world.now());
    const carolMenu = await open(carol, '[Tools] Drill');
    expect(carolMenu.content).toBe(T.menu('[Tools] Drill', 'Available', 'Tools', T.noLocation));
  });

  it('32: admin rights are checked again at each click and submission', async () => {
    const staff = world.guild.roles.create({ name: 'staff' });
    const carol = world.guild.members.create({ username: 'carol', roles: [staff] });
    await world.repos.guildSettings.setAdminRoleIds(world.guild.id, [staff.id], world.now());
    const menu = await open(carol, '[Tools] Drill');
    const form = await menu.clickButton(T.renameLabel);
    expect(form.modal?.title).toBe(T.renameModalTitle);
    await world.repos.guildSettings.setAdminRoleIds(world.guild.id, [], world.now());
    const submitted = await form.submitModal({ name: 'Hammer drill' });
    expect(submitted.content).toBe(FlowText.adminOnly);
    expect(submitted.components).toEqual([]);
    expect((await world.repos.equipment.get(drill))?.name).toBe('Drill');
    expect(await logs('equipment.renamed')).toEqual([]);
    // A click is refused the same way.
    await world.repos.guildSettings.setAdminRoleIds(world.guild.id, [staff.id], world.now());
    const again = await open(carol, '[Tools] Drill');
    await world.repos.guildSettings.setAdminRoleIds(world.guild.id, [], world.now());
    const clicked = await again.clickButton(T.changeStateLabel);
    expect(clicked.content).toBe(FlowText.adminOnly);
    expect(clicked.components).toEqual([]);
    // An administrator is never refused.
    expect((await (await open(admin, '[Tools] Drill')).clickButton(T.changeStateLabel)).content).toBe(
      T.state('Drill', 'Available'),
    );
  });

  it('33: Unavailable that hits reservations lists them; Proceed DMs the owners, then deletes them and changes the state', async () => {
    const start = world.now() + MINUTE;
    const loan = await reserve(world.alice.id, drill, start, start + 2 * HOUR);
    const later = await reserve(world.bob.id, drill, start + DAY, start + DAY + HOUR);
    const other = await reserve(world.bob.id, saw, start + DAY, start + DAY + HOUR);
    await world.advance(2 * MINUTE);
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe(`Loaned - User: <@${world.alice.id}>`);
    world.bob.setDmsOpen(false);

    const menu = await open(admin, '[Tools] Drill');
    const state = await menu.clickButton(T.changeStateLabel);
    expect(state.content).toBe(T.state('Drill', `Loaned - User: <@${world.alice.id}>`));
    expect(labels(state)).toEqual([T.availableLabel, T.unavailableLabel, '← Back']);
    const form = await state.clickButton(T.unavailableLabel);
    expect(form.modal?.title).toBe(T.reasonModalTitle);
    const confirm = await form.submitModal({ reason: 'Broken screen' });
    const expected = [
      'The following reservations will be automatically deleted. Proceed?',
      `- <@${world.alice.id}> ${formatJstRange(loan.startAt, loan.endAt)}`,
      `- <@${world.bob.id}> ${formatJstRange(later.startAt, later.endAt)}`,
    ].join('\n');
    expect(confirm.content).toBe(expected);
    // JST, whatever the host's zone.
    expect(confirm.content).toContain(`<@${world.bob.id}> ${jst(later.startAt)}`);
    expect(labels(confirm)).toEqual([T.proceedLabel, '← Back']);
    expect(confirm.message?.id).toBe(menu.message?.id);

    // ← Back, and the reason is kept when the modal opens again.
    const back = await confirm.clickButton('← Back');
    expect(back.content).toBe(T.state('Drill', `Loaned - User: <@${world.alice.id}>`));
    const again = await back.clickButton(T.unavailableLabel);
    const input = (again.modal?.raw['components'] as { components: { value?: string }[] }[])[0]?.components[0];
    expect(input?.value).toBe('Broken screen');
    const confirmAgain = await again.submitModal({ reason: 'Broken screen' });
    expect(confirmAgain.content).toBe(expected);
    expect(await logs('reservation.cancelled-by-admin')).toEqual([]);

    // A double click deletes once.
    const [done] = await Promise.all([
      confirmAgain.clickButton(T.proceedLabel),
      confirmAgain.clickButton(T.proceedLabel),
    ]);
    const result = await done.waitForMessage((message) =>
      message.content.includes(T.forcedUnavailable('Drill', 'Broken screen')),
    );
    expect(result.content).toContain(T.deletedReservations(2));
    expect(result.content).toContain(T.notDelivered([world.bob.id]));
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([
      T.dmUnavailable('Drill', formatJstRange(loan.startAt, loan.endAt), 'Broken screen'),
    ]);
    expect((await world.repos.reservations.get(loan.id))?.status).toBe('cancelled');
    expect((await world.repos.reservations.get(later.id))?.status).toBe('cancelled');
    expect((await world.repos.reservations.get(other.id))?.status).toBe('confirmed');
    expect(await logs('reservation.cancelled-by-admin')).toHaveLength(2);
    expect(await logs('equipment.unavailable-set')).toHaveLength(1);
    await settled();
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe('Unavailable: Broken screen');
    expect(embedOf(messageTitled('[Tools] Drill')).fields?.[2]?.value).toBe('No reservations');
    // The deleted loan's reminder is gone with it: nothing more reaches Alice.
    await world.advance(2 * HOUR);
    expect(world.alice.dms.messages).toHaveLength(1);
  });

  it('33: Available on a loaned item lists the loan in progress; Proceed ends it', async () => {
    const start = world.now() + MINUTE;
    const loan = await reserve(world.alice.id, drill, start, start + HOUR);
    const upcoming = await reserve(world.bob.id, drill, start + DAY, start + DAY + HOUR);
    await world.advance(2 * MINUTE);
    const state = await (await open(admin, '[Tools] Drill')).clickButton(T.changeStateLabel);
    const confirm = await state.clickButton(T.availableLabel);
    expect(confirm.content).toBe(
      `${T.forceConfirm}\n- <@${world.alice.id}> ${formatJstRange(loan.startAt, loan.endAt)}`,
    );
    const result = await confirm.clickButton(T.proceedLabel);
    expect(result.content).toContain(T.forcedAvailable('Drill'));
    expect(result.content).toContain(T.deletedReservations(1));
    expect((await world.repos.reservations.get(loan.id))?.status).toBe('cancelled');
    expect((await world.repos.reservations.get(upcoming.id))?.status).toBe('confirmed');
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([
      T.dmAvailable('Drill', formatJstRange(loan.startAt, loan.endAt)),
    ]);
    expect(world.bob.dms.messages).toEqual([]);
    await settled();
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe('Available');
    expect(await logs('equipment.available-set')).toHaveLength(1);
  });

  it('33: a reservation made while the list is shown is listed before anything goes', async () => {
    const start = world.now() + DAY;
    const first = await reserve(world.alice.id, drill, start, start + HOUR);
    const form = await (
      await (await open(admin, '[Tools] Drill')).clickButton(T.changeStateLabel)
    ).clickButton(T.unavailableLabel);
    const confirm = await form.submitModal({ reason: 'Inventory' });
    expect(confirm.content).toBe(
      `${T.forceConfirm}\n- <@${world.alice.id}> ${formatJstRange(first.startAt, first.endAt)}`,
    );
    const second = await reserve(world.bob.id, drill, start + 2 * HOUR, start + 3 * HOUR);
    const relisted = await confirm.clickButton(T.proceedLabel);
    expect(relisted.content).toBe(
      [
        T.forceListChanged,
        '',
        T.forceConfirm,
        `- <@${world.alice.id}> ${formatJstRange(first.startAt, first.endAt)}`,
        `- <@${world.bob.id}> ${formatJstRange(second.startAt, second.endAt)}`,
      ].join('\n'),
    );
    expect((await world.repos.reservations.get(first.id))?.status).toBe('confirmed');
    expect(world.alice.dms.messages).toEqual([]);
    expect((await world.repos.equipment.get(drill))?.unavailable).toBe(false);

    const result = await relisted.clickButton(T.proceedLabel);
    expect(result.content).toContain(T.forcedUnavailable('Drill', 'Inventory'));
    expect((await world.repos.reservations.get(first.id))?.status).toBe('cancelled');
    expect((await world.repos.reservations.get(second.id))?.status).toBe('cancelled');
    expect(world.bob.dms.messages.map((m) => m.content)).toEqual([
      T.dmUnavailable('Drill', formatJstRange(second.startAt, second.endAt), 'Inventory'),
    ]);
  });

  it('34: the Unavailable reason is asked, shown in the embed, edited, and logged; an empty reason is refused', async () => {
    const form = await (
      await (await open(admin, '[Tools] Drill')).clickButton(T.changeStateLabel)
    ).clickButton(T.unavailableLabel);
    const blank = await form.submitModal({ reason: '   ' });
    expect(blank.content).toBe(T.emptyReason);
    expect(labels(blank)).toEqual([T.tryAgainLabel, '← Back']);
    expect(await logs('equipment.unavailable-set')).toEqual([]);
    const retry = await blank.clickButton(T.tryAgainLabel);
    // Nothing to delete: applied at once.
    const done = await retry.submitModal({ reason: 'Lost charger' });
    expect(done.content).toBe(
      `${T.forcedUnavailable('Drill', 'Lost charger')}\n\n${T.menu('[Tools] Drill', 'Unavailable: Lost charger', 'Tools', T.noLocation)}`,
    );
    await settled();
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe('Unavailable: Lost charger');

    const edit = await done.clickButton(T.editReasonLabel);
    const edited = await edit.submitModal({ reason: 'Charger ordered' });
    expect(edited.content).toContain(T.forcedUnavailable('Drill', 'Charger ordered'));
    await settled();
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe('Unavailable: Charger ordered');
    expect((await logs('equipment.unavailable-set')).map((entry) => entry.detail?.['reason'])).toEqual([
      'Charger ordered',
      'Lost charger',
    ]);
    // And back to Available, at once (nothing to end).
    const available = await (await edited.clickButton(T.changeStateLabel)).clickButton(T.availableLabel);
    expect(available.content).toContain(T.forcedAvailable('Drill'));
    await settled();
    await expect.poll(() => statusOf('[Tools] Drill'), { timeout: 5_000 }).toBe('Available');
  });

  it('34: rename checks the name (empty, too long, used by another item), writes nothing when refused, and re-sorts', async () => {
    const menu = await open(admin, '[Tools] Saw');
    const form = await menu.clickButton(T.renameLabel);
    const value = (reply: InteractionReply) =>
      (reply.modal?.raw['components'] as { components: { value?: string; max_length?: number }[] }[])[0]?.components[0];
    expect(value(form)).toMatchObject({ value: 'Saw', max_length: 100 });

    const blank = await form.submitModal({ name: '   ' });
    expect(blank.content).toBe(T.emptyName);
    const taken = await (await blank.clickButton(T.tryAgainLabel)).submitModal({ name: 'Drill' });
    expect(taken.content).toBe(T.duplicateName('Drill'));
    const retry = await taken.clickButton(T.tryAgainLabel);
    expect(value(retry)?.value).toBe('Drill');
    // Discord itself refuses more than the field's 100 characters; the bot checks again after trimming.
    await expect(retry.submitModal({ name: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'INVALID_MODAL_VALUES' });
    expect(nameProblem('x'.repeat(101))).toBe(T.longName(101));
    expect((await world.repos.equipment.get(saw))?.name).toBe('Saw');
    expect(await logs('equipment.renamed')).toEqual([]);

    const renamed = await retry.submitModal({ name: '  Band saw  ' });
    expect(renamed.content.startsWith(T.renamed('Saw', 'Band saw'))).toBe(true);
    expect((await world.repos.equipment.get(saw))?.name).toBe('Band saw');
    await settled();
    await expect
      .poll(() => world.titles(), { timeout: 5_000 })
      .toEqual(['Equipment reservations', '[Tools] Band saw', '[Tools] Drill']);
    const [entry] = await logs('equipment.renamed');
    expect(entry).toMatchObject({
      equipmentId: saw,
      userId: admin.id,
      detail: { previousName: 'Saw', name: 'Band saw' },
    });
  });

  it('34: assign tag offers the server’s tags and No tag (25 a page); the channel is re-sorted', async () => {
    const now = world.now();
    const video = await world.repos.tags.create(world.guild.id, 'Video', now, 0);
    for (let i = 1; i <= 30; i++)
      await world.repos.tags.create(world.guild.id, `Spare ${String(i).padStart(2, '0')}`, now);
    await world.render();
    expect(world.titles()).toEqual(['Equipment reservations', '[Tools] Drill', '[Tools] Saw']);

    const chooser = await (await open(admin, '[Tools] Saw')).clickButton(T.tagLabel);
    expect(chooser.content).toBe(`${T.tagChoice('Saw', 'Tools')}\n${T.page(1, 2)}`);
    const select = chooser.components[0]!;
    expect(select.options).toHaveLength(25);
    expect(select.options[0]).toMatchObject({ label: T.noTag });
    expect(select.options.find((option) => option.default)?.label).toBe('Tools');
    const page2 = await chooser.clickButton(T.nextLabel);
    // No tag, Video, Tools and Spare 01–22 on the first page; the rest on the second.
    expect(page2.components[0]!.options.map((option) => option.label)).toEqual(
      [23, 24, 25, 26, 27, 28, 29, 30].map((n) => `Spare ${n}`),
    );
    expect(page2.content).toBe(`${T.tagChoice('Saw', 'Tools')}\n${T.page(2, 2)}`);
    const page1 = await page2.clickButton(T.previousLabel);
    const picked = await page1.selectOptions(T.tagPlaceholder, [String(video.id)]);
    const [saved] = await Promise.all([picked.clickButton(T.saveLabel), picked.clickButton(T.saveLabel)]);
    const shown = await saved.waitForMessage((message) => message.content.startsWith(T.tagSet('Saw', 'Video')));
    expect(shown.content).toContain(T.menu('[Video] Saw', 'Available', 'Video', T.noLocation));
    expect((await world.repos.equipment.get(saw))?.tagId).toBe(video.id);
    await settled();
    await expect
      .poll(() => world.titles(), { timeout: 5_000 })
      .toEqual(['Equipment reservations', '[Video] Saw', '[Tools] Drill']);
    expect(await logs('equipment.tag-set')).toHaveLength(1);

    const untag = await (await open(admin, '[Tools] Drill')).clickButton(T.tagLabel);
    const none = await untag.selectOptions(T.tagPlaceholder, ['none']);
    await none.clickButton(T.saveLabel);
    await settled();
    await expect
      .poll(() => world.titles(), { timeout: 5_000 })
      .toEqual(['Equipment reservations', '[Video] Saw', 'Drill']);
    expect((await logs('equipment.tag-set')).map((entry) => entry.detail?.['tagId'])).toEqual([null, video.id]);
  });

  it('34: default return location is chosen from the server’s locations, shown and logged', async () => {
    const empty = await (await open(admin, '[Tools] Drill')).clickButton(T.locationLabel);
    expect(empty.content).toBe(T.noLocations);
    expect(labels(empty)).toEqual(['← Back']);

    const shelf = await world.repos.locations.create(world.guild.id, 'Shelf', world.now());
    const locker = await world.repos.locations.create(world.guild.id, 'Locker', world.now());
    const chooser = await (await empty.clickButton('← Back')).clickButton(T.locationLabel);
    expect(chooser.content).toBe(T.locationChoice('Drill', T.noLocation));
    expect(chooser.components[0]!.options.map((option) => option.label)).toEqual([T.noLocation, 'Locker', 'Shelf']);
    const picked = await chooser.selectOptions(T.locationPlaceholder, [String(locker.id)]);
    const saved = await picked.clickButton(T.saveLabel);
    expect(saved.content).toBe(
      `${T.locationSet('Drill', 'Locker')}\n\n${T.menu('[Tools] Drill', 'Available', 'Tools', 'Locker')}`,
    );
    expect((await world.repos.equipment.get(drill))?.defaultReturnLocationId).toBe(locker.id);
    const [entry] = await logs('equipment.locations-set');
    expect(entry?.detail).toMatchObject({ previousDefaultReturnLocationId: null, defaultReturnLocationId: locker.id });
    // The location deleted between the choice and Save: refused, nothing written.
    const again = await saved.clickButton(T.locationLabel);
    const shelfPicked = await again.selectOptions(T.locationPlaceholder, [String(shelf.id)]);
    await world.repos.locations.delete(shelf.id);
    const refused = await shelfPicked.clickButton(T.saveLabel);
    expect(refused.content.startsWith(T.notUsable)).toBe(true);
    expect((await world.repos.equipment.get(drill))?.defaultReturnLocationId).toBe(locker.id);
    expect(await logs('equipment.locations-set')).toHaveLength(1);
  });

  it('34: delete asks to confirm, removes the item’s message, tells the owners, keeps the log', async () => {
    const start = world.now() + DAY;
    const booked = await reserve(world.alice.id, saw, start, start + HOUR);
    const before = world.channel.messages.length;
    const menu = await open(admin, '[Tools] Saw');
    const confirm = await menu.clickButton(T.deleteLabel);
    expect(confirm.content).toBe(T.deleteConfirm('Saw', 1));
    expect(labels(confirm)).toEqual([T.confirmDeleteLabel, '← Back']);
    const back = await confirm.clickButton('← Back');
    expect(back.content).toBe(T.menu('[Tools] Saw', 'Available', 'Tools', T.noLocation));
    expect(await world.repos.equipment.get(saw)).not.toBeNull();

    const sure = await back.clickButton(T.deleteLabel);
    const [deleted] = await Promise.all([
      sure.clickButton(T.confirmDeleteLabel),
      sure.clickButton(T.confirmDeleteLabel),
    ]);
    const shown = await deleted.waitForMessage((message) => message.content.startsWith(T.deleted('Saw')));
    expect(shown.content).toContain(T.deletedReservations(1));
    expect(shown.components).toEqual([]);
    expect(await world.repos.equipment.get(saw)).toBeNull();
    expect(await world.repos.reservations.get(booked.id)).toBeNull();
    await settled();
    await expect.poll(() => world.titles(), { timeout: 5_000 }).toEqual(['Equipment reservations', '[Tools] Drill']);
    expect(world.channel.messages).toHaveLength(before - 1);
    expect(world.alice.dms.messages.map((m) => m.content)).toEqual([
      T.dmDeleted('Saw', formatJstRange(booked.startAt, booked.endAt)),
    ]);
    const entries = await logs('equipment.deleted');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ equipmentId: saw, equipmentName: 'Saw', userId: admin.id });
  });

  it('35: the item log shows only that item’s entries, newest first, in JST, by period and page', async () => {
    const now = world.now();
    const item = { guildId: world.guild.id, actorId: admin.id };
    const at = [now - 20 * DAY, now - 3 * DAY, now - HOUR];
    const names = ['Drill 2', 'Drill 3', 'Drill 4'];
    for (const [index, time] of at.entries()) {
      const renamed = await renameEquipment(
        world.app.database,
        { ...item, equipmentId: drill, name: names[index]! },
        time,
      );
      expect(renamed.ok).toBe(true);
    }
    await renameEquipment(world.app.database, { ...item, equipmentId: saw, name: 'Saw 2' }, now - HOUR);
    await world.render();

    const menu = await open(admin, '[Tools] Drill 4');
    const log = await menu.clickButton(T.logLabel);
    const embed = () => log.message!.embeds[0] as Embed;
    const lineOf = (time: number, from: string, to: string) =>
      `\`${jst(time)}\` · <@${admin.id}> · Renamed "${from}" to "${to}"`;
    expect(embed().title).toBe(ItemLogText.title('Drill 4'));
    // Last 7 days by default: two of the three renames, not the Saw's.
    expect(embed().description).toBe(
      [lineOf(at[2]!, 'Drill 3', 'Drill 4'), lineOf(at[1]!, 'Drill 2', 'Drill 3')].join('\n'),
    );
    expect(embed().footer?.text).toBe(ItemLogText.footer('Last 7 days', 1, 1, false));
    expect(log.components[0]!.options.map((option) => option.label)).toEqual([
      'Last 24 hours',
      'Last 7 days',
      'Last 30 days',
      'All time',
    ]);

    const day = await log.selectOptions(ItemLogText.periodPlaceholder, ['24h']);
    expect((day.message!.embeds[0] as Embed).description).toBe(lineOf(at[2]!, 'Drill 3', 'Drill 4'));
    const all = await day.selectOptions(ItemLogText.periodPlaceholder, ['all']);
    expect((all.message!.embeds[0] as Embed).description?.split('\n')).toEqual([
      lineOf(at[2]!, 'Drill 3', 'Drill 4'),
      lineOf(at[1]!, 'Drill 2', 'Drill 3'),
      lineOf(at[0]!, 'Drill', 'Drill 2'),
    ]);

    // More entries than a page: ◀ Previous / Next ▶.
    for (let i = 0; i < LOG_PAGE_SIZE; i++) {
      await renameEquipment(
        world.app.database,
        { ...item, equipmentId: drill, name: `Drill ${5 + i}` },
        now - 30 * MINUTE + i,
      );
    }
    const reopened = await all.clickButton('← Back');
    const first = await reopened.clickButton(T.logLabel);
    const firstEmbed = first.message!.embeds[0] as Embed;
    expect(firstEmbed.description?.split('\n')).toHaveLength(LOG_PAGE_SIZE);
    // The period chosen before is kept.
    expect(firstEmbed.footer?.text).toBe(ItemLogText.footer('All time', 1, 2, false));
    expect(first.components.find((c) => c.label === T.previousLabel)?.disabled).toBe(true);
    const second = await first.clickButton(T.nextLabel);
    const secondEmbed = second.message!.embeds[0] as Embed;
    expect(secondEmbed.description?.split('\n')).toEqual([
      lineOf(at[2]!, 'Drill 3', 'Drill 4'),
      lineOf(at[1]!, 'Drill 2', 'Drill 3'),
      lineOf(at[0]!, 'Drill', 'Drill 2'),
    ]);
    expect(secondEmbed.footer?.text).toBe(ItemLogText.footer('All time', 2, 2, false));
    expect(second.components.find((c) => c.label === T.nextLabel)?.disabled).toBe(true);
    expect(second.message?.id).toBe(menu.message?.id);
  });
});
