import type { InteractionReply, SimulatedUser } from 'discord-update-manager/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH } from '../../src/db/errors.js';
import { AdminEquipmentText } from '../../src/discord/flows/admin-equipment.js';
import { AdminExportText } from '../../src/discord/flows/admin-export.js';
import { AdminLocationText } from '../../src/discord/flows/admin-locations.js';
import { AdminLogText } from '../../src/discord/flows/admin-log.js';
import { AdminText } from '../../src/discord/flows/admin-menu.js';
import { AdminRolesText } from '../../src/discord/flows/admin-roles.js';
import { AdminTagText } from '../../src/discord/flows/admin-tags.js';
import { FlowText } from '../../src/discord/flows/flow-deps.js';
import { createEquipment, deleteEquipment } from '../../src/domain/services/equipment-admin.js';
import { createTag } from '../../src/domain/services/guild-admin.js';
import { EXPORT_COLUMNS } from '../../src/domain/services/reservation-export.js';
import { createReservation } from '../../src/domain/services/reservations.js';
import { formatJst, formatJstRange, jstDay } from '../../src/domain/time.js';
import { BotWorld, DIALECTS } from '../support/bot-world.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A tiny RFC 4180 reader (quoted fields, doubled quotes, CRLF records), independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 2;
    } else if (quoted && c === '"') {
      quoted = false;
      i += 1;
    } else if (quoted) {
      field += c;
      i += 1;
    } else if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error(`The CSV does not end with CRLF: ${JSON.stringify(field)}`);
  return records;
}

describe.each(DIALECTS)('Overall Management (%s)', (dialect) => {
  let world: BotWorld;
  let admin: SimulatedUser;

  beforeEach(async () => {
    world = await BotWorld.create(dialect);
    admin = world.addAdmin();
    await world.start();
    await world.setUp();
  });

  afterEach(async () => {
    await world.close();
  });

  const guildId = () => world.guild.id;
  const open = (user: SimulatedUser) => user.clickButton(world.channel.messages[0]!, 'Overall Management');
  const labels = (reply: InteractionReply) => reply.components.map((component) => component.label);
  const settled = async () => {
    await world.app.manager.onIdle();
  };
  const names = async () => (await world.repos.equipment.list(guildId())).map((item) => [item.name, item.tagId]);
  const embed = (reply: InteractionReply) =>
    reply.embeds[0] as { title: string; description: string; footer?: { text: string } };

  it('36: opens only for administrators and admin-role members, and checks again when a change is submitted', async () => {
    const refused = await open(world.alice);
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toBe(FlowText.adminOnly);
    expect(refused.components).toEqual([]);

    const menu = await open(admin);
    expect(menu.ephemeral).toBe(true);
    expect(menu.content).toBe(AdminText.menu);
    expect(labels(menu)).toEqual(['Add Equipment', 'Tags', 'Locations', 'Admin Roles', 'Overall Log', 'Export CSV']);

    // An admin role (not the Administrator permission): bob may open it while he has the role.
    const staff = world.guild.roles.create({ name: 'staff' });
    await world.repos.guildSettings.setAdminRoleIds(guildId(), [staff.id], world.now());
    world.guild.members.setRoles(world.bob, [staff]);
    const bobMenu = await open(world.bob);
    expect(bobMenu.content).toBe(AdminText.menu);
    const modal = await bobMenu.clickButton('Add Equipment');
    expect(modal.modal?.title).toBe(AdminEquipmentText.modalTitle);
    // He loses the role while the modal is open: the submission is refused and writes nothing.
    world.guild.members.setRoles(world.bob, []);
    expect((await open(world.bob)).content).toBe(FlowText.adminOnly);
    const submitted = await modal.submitModal({ name: 'Camera' });
    expect(submitted.content).toBe(FlowText.adminOnly);
    expect(await names()).toEqual([]);
  });

  it('36: Add Equipment asks the name in a modal, then the tag (or none); ← Back keeps both; the channel shows it', async () => {
    const now = world.now();
    const video = await world.repos.tags.create(guildId(), 'Video', now);
    const menu = await open(admin);
    const modal = await menu.clickButton('Add Equipment');
    expect(modal.modal?.title).toBe(AdminEquipmentText.modalTitle);
    const tagStep = await modal.submitModal({ name: '  Camera  ' });
    expect(tagStep.message?.id).toBe(menu.message?.id);
    expect(tagStep.content).toBe(AdminEquipmentText.tagStep('Camera'));
    expect(tagStep.components[0]?.options.map((option) => option.label)).toEqual(['No tag', 'Video']);
    const chosen = await tagStep.selectOptions('Tag', [String(video.id)]);
    expect(chosen.components[0]?.options.find((option) => option.default)?.label).toBe('Video');

    // ← Back to the menu, then Add Equipment again: the modal is filled with the name and the tag is still chosen.
    const back = await chosen.clickButton('← Back');
    expect(back.content).toBe(AdminText.menu);
    const again = await back.clickButton('Add Equipment');
    const field = (again.modal?.raw['components'] as { components: { value?: string }[] }[])[0]?.components[0];
    expect(field?.value).toBe('Camera');
    const kept = await again.submitModal({});
    expect(kept.components[0]?.options.find((option) => option.default)?.label).toBe('Video');

    // A double click on the final button adds the item once.
    const [added, twice] = await Promise.all([kept.clickButton('Add Equipment'), kept.clickButton('Add Equipment')]);
    expect([added.content, twice.content]).toContain(
      `${AdminEquipmentText.added('Camera', 'Video')}\n\n${AdminText.menu}`,
    );
    expect(await names()).toEqual([['Camera', video.id]]);

    // Without a tag.
    const next = await (await (await open(admin)).clickButton('Add Equipment')).submitModal({ name: 'Tripod' });
    const done = await (await next.selectOptions('Tag', ['none'])).clickButton('Add Equipment');
    expect(done.content).toBe(`${AdminEquipmentText.added('Tripod', null)}\n\n${AdminText.menu}`);
    await settled();
    await expect.poll(() => world.titles()).toEqual(['Equipment reservations', '[Video] Camera', 'Tripod']);
    const logs = await world.repos.logs.list({ guildId: guildId(), from: 0, to: world.now() + 1 });
    expect(logs.filter((entry) => entry.action === 'equipment.created').map((entry) => entry.equipmentName)).toEqual([
      'Tripod',
      'Camera',
    ]);
  });

  it('36: more than 25 tags are paged, in the tag list and in the tag choice of Add Equipment', async () => {
    const tags = [];
    for (let i = 1; i <= 30; i++) tags.push(await world.repos.tags.create(guildId(), `Tag ${i}`, world.now()));
    const list = await (await open(admin)).clickButton('Tags');
    expect(embed(list).description.split('\n')).toHaveLength(25);
    expect(embed(list).footer?.text).toBe(AdminText.pageFooter(0, 2));
    expect(list.components[0]?.options).toHaveLength(25);
    const second = await list.clickButton('Next ▶');
    expect(embed(second).description).toBe(
      ['26. Tag 26', '27. Tag 27', '28. Tag 28', '29. Tag 29', '30. Tag 30'].join('\n'),
    );
    expect(second.components.find((c) => c.label === 'Next ▶')?.disabled).toBe(true);

    const step = await (
      await (await second.clickButton('← Back')).clickButton('Add Equipment')
    ).submitModal({
      name: 'Drone',
    });
    expect(step.components[0]?.options.map((option) => option.label)).toEqual([
      'No tag',
      ...tags.slice(0, 24).map((tag) => tag.name),
    ]);
    const page2 = await step.clickButton('Next ▶');
    expect(page2.components[0]?.options.map((option) => option.label)).toEqual([
      'No tag',
      ...tags.slice(24).map((tag) => tag.name),
    ]);
    await (await page2.selectOptions('Tag', [String(tags[29]!.id)])).clickButton('Add Equipment');
    expect(await names()).toEqual([['Drone', tags[29]!.id]]);
  });

  it('36: an empty, too long or already used equipment name answers an ephemeral error and writes nothing', async () => {
    await world.repos.equipment.create({ guildId: guildId(), name: 'Camera' }, world.now());
    const modal = await (await open(admin)).clickButton('Add Equipment');
    const blank = await modal.submitModal({ name: '   ' });
    expect(blank.ephemeral).toBe(true);
    expect(blank.content).toBe(AdminText.nameEmpty('equipment'));
    expect(blank.content).toContain(`1 to ${MAX_NAME_LENGTH} characters`);

    const taken = await (await (await open(admin)).clickButton('Add Equipment')).submitModal({ name: 'Camera' });
    expect(taken.ephemeral).toBe(true);
    expect(taken.content).toBe(AdminText.nameTaken('equipment', 'Camera'));

    // Discord itself refuses a longer name: the modal declares the limit.
    const long = await (await open(admin)).clickButton('Add Equipment');
    const input = (long.modal?.raw['components'] as { components: { max_length?: number }[] }[])[0]?.components[0];
    expect(input?.max_length).toBe(MAX_NAME_LENGTH);
    await expect(long.submitModal({ name: 'x'.repeat(MAX_NAME_LENGTH + 1) })).rejects.toMatchObject({
      code: 'INVALID_MODAL_VALUES',
    });

    expect(await names()).toEqual([['Camera', null]]);
    const logs = await world.repos.logs.list({ guildId: guildId(), from: 0, to: world.now() + 1 });
    expect(logs).toEqual([]);
  });

  it('36: tags are added, renamed, reordered and deleted, and the channel is re-sorted each time', async () => {
    let screen = await (await open(admin)).clickButton('Tags');
    expect(screen.content).toBe(AdminTagText.intro);
    for (const name of ['Video', 'Misc', 'Audio']) {
      screen = await (await screen.clickButton('Add Tag')).submitModal({ name });
      expect(screen.content).toBe(`${AdminTagText.created(name)}\n\n${AdminTagText.intro}`);
    }
    expect(embed(screen).description).toBe('1. Video\n2. Misc\n3. Audio');
    const [video, , audio] = await world.repos.tags.list(guildId());
    await world.repos.equipment.create({ guildId: guildId(), name: 'Camera', tagId: video!.id }, world.now());
    await world.repos.equipment.create({ guildId: guildId(), name: 'Mic', tagId: audio!.id }, world.now());
    await world.render();
    expect(world.titles()).toEqual(['Equipment reservations', '[Video] Camera', '[Audio] Mic']);

    // A name already used is refused, and nothing changes.
    const duplicate = await (await screen.clickButton('Add Tag')).submitModal({ name: 'Video' });
    expect(duplicate.ephemeral).toBe(true);
    expect(duplicate.content).toBe(AdminText.nameTaken('tag', 'Video'));

    // Move Audio up: a double click moves it once (to 2nd, not 1st); one more click puts it first, and the channel
    // shows Audio's items first.
    screen = await screen.selectOptions('Choose a tag', [String(audio!.id)]);
    const [moved, twice] = await Promise.all([screen.clickButton('Move Up'), screen.clickButton('Move Up')]);
    expect(moved.message?.id).toBe(twice.message?.id);
    expect(moved.content).toBe(`${AdminTagText.moved('Audio', 2)}\n\n${AdminTagText.intro}`);
    const order = async () => (await world.repos.tags.list(guildId())).map((tag) => tag.name);
    expect(await order()).toEqual(['Video', 'Audio', 'Misc']);
    expect(world.titles()).toEqual(['Equipment reservations', '[Video] Camera', '[Audio] Mic']);
    screen = await moved.clickButton('Move Up');
    expect(screen.content).toBe(`${AdminTagText.moved('Audio', 1)}\n\n${AdminTagText.intro}`);
    expect(screen.components.find((c) => c.label === 'Move Up')?.disabled).toBe(true);
    expect(await order()).toEqual(['Audio', 'Video', 'Misc']);
    await settled();
    await expect.poll(() => world.titles()).toEqual(['Equipment reservations', '[Audio] Mic', '[Video] Camera']);

    // Rename Video: the modal is filled with its name.
    screen = await screen.selectOptions('Choose a tag', [String(video!.id)]);
    const rename = await screen.clickButton('Rename');
    const field = (rename.modal?.raw['components'] as { components: { value?: string }[] }[])[0]?.components[0];
    expect(field?.value).toBe('Video');
    const clash = await rename.submitModal({ name: 'Audio' });
    expect(clash.content).toBe(AdminText.nameTaken('tag', 'Audio'));
    screen = await (await screen.clickButton('Rename')).submitModal({ name: 'Cameras' });
    expect(screen.content).toBe(`${AdminTagText.renamed('Video', 'Cameras')}\n\n${AdminTagText.intro}`);
    await settled();
    await expect.poll(() => world.titles()).toEqual(['Equipment reservations', '[Audio] Mic', '[Cameras] Camera']);

    // Delete Audio (confirmed; ← Back first keeps it chosen): Mic becomes untagged, listed last.
    screen = await screen.selectOptions('Choose a tag', [String(audio!.id)]);
    const confirm = await screen.clickButton('Delete');
    expect(confirm.content).toBe(AdminTagText.confirmDelete('Audio', AdminTagText.itemsUntagged(1)));
    const back = await confirm.clickButton('← Back');
    expect(back.components[0]?.options.find((option) => option.default)?.label).toBe('Audio');
    const deleted = await (await back.clickButton('Delete')).clickButton('Delete Tag');
    expect(deleted.content).toBe(`${AdminTagText.deleted('Audio')}\n\n${AdminTagText.intro}`);
    expect(await order()).toEqual(['Cameras', 'Misc']);
    await settled();
    await expect.poll(() => world.titles()).toEqual(['Equipment reservations', '[Cameras] Camera', 'Mic']);
    const logs = await world.repos.logs.list({ guildId: guildId(), from: 0, to: world.now() + 1 });
    expect(logs.map((entry) => entry.action).filter((action) => action.startsWith('tag.'))).toEqual([
      'tag.deleted',
      'tag.renamed',
      'tag.reordered',
      'tag.reordered',
      'tag.created',
      'tag.created',
      'tag.created',
    ]);
  });

  it('36: locations are added, renamed and deleted; a used name is refused', async () => {
    let screen = await (await open(admin)).clickButton('Locations');
    expect(screen.content).toBe(AdminLocationText.intro);
    expect(embed(screen).description).toBe(AdminLocationText.empty);
    for (const name of ['Room B', 'Room A'])
      screen = await (await screen.clickButton('Add Location')).submitModal({ name });
    expect(embed(screen).description).toBe('1. Room A\n2. Room B');
    const duplicate = await (await screen.clickButton('Add Location')).submitModal({ name: 'Room A' });
    expect(duplicate.content).toBe(AdminText.nameTaken('location', 'Room A'));
    const blank = await (await screen.clickButton('Add Location')).submitModal({ name: '  ' });
    expect(blank.content).toBe(AdminText.nameEmpty('location'));

    const [roomA, roomB] = await world.repos.locations.list(guildId());
    screen = await screen.selectOptions('Choose a location', [String(roomB!.id)]);
    screen = await (await screen.clickButton('Rename')).submitModal({ name: 'Locker' });
    expect(screen.content).toBe(`${AdminLocationText.renamed('Room B', 'Locker')}\n\n${AdminLocationText.intro}`);
    screen = await screen.selectOptions('Choose a location', [String(roomA!.id)]);
    const confirm = await screen.clickButton('Delete');
    expect(confirm.content).toBe(AdminLocationText.confirmDelete('Room A', AdminLocationText.consequence));
    const [deleted, twice] = await Promise.all([
      confirm.clickButton('Delete Location'),
      confirm.clickButton('Delete Location'),
    ]);
    expect([deleted.content, twice.content]).toContain(
      `${AdminLocationText.deleted('Room A')}\n\n${AdminLocationText.intro}`,
    );
    expect((await world.repos.locations.list(guildId())).map((place) => place.name)).toEqual(['Locker']);
    const logs = await world.repos.logs.list({ guildId: guildId(), from: 0, to: world.now() + 1 });
    expect(logs.map((entry) => entry.action)).toEqual([
      'location.deleted',
      'location.renamed',
      'location.created',
      'location.created',
    ]);
  });

  it('36: admin roles are added and removed with a role select; the role’s members gain and lose access', async () => {
    const staff = world.guild.roles.create({ name: 'staff' });
    world.guild.members.setRoles(world.bob, [staff]);
    expect((await open(world.bob)).content).toBe(FlowText.adminOnly);

    let screen = await (await open(admin)).clickButton('Admin Roles');
    expect(screen.content).toBe(AdminRolesText.screen([]));
    const everyone = await screen.selectOptions('Choose a role', [world.guild.roles.everyone]);
    expect(everyone.content).toBe(`${AdminRolesText.everyone}\n\n${AdminRolesText.screen([])}`);
    screen = await screen.selectOptions('Choose a role', [staff]);
    expect(screen.components.find((c) => c.label === 'Remove Admin Role')?.disabled).toBe(true);
    screen = await screen.clickButton('Add Admin Role');
    expect(screen.content).toBe(`${AdminRolesText.added(staff.id)}\n\n${AdminRolesText.screen([staff.id])}`);
    expect((await world.repos.guildSettings.get(guildId()))?.adminRoleIds).toEqual([staff.id]);
    expect((await open(world.bob)).content).toBe(AdminText.menu);

    screen = await screen.clickButton('Remove Admin Role');
    expect(screen.content).toBe(`${AdminRolesText.removed(staff.id)}\n\n${AdminRolesText.screen([])}`);
    expect((await world.repos.guildSettings.get(guildId()))?.adminRoleIds).toEqual([]);
    expect((await open(world.bob)).content).toBe(FlowText.adminOnly);
  });

  it('35: the overall log shows every item’s and the guild’s entries, deleted items’ included, in JST, by page and period', async () => {
    const now = world.now();
    const database = world.app.database;
    const actor = { guildId: guildId(), actorId: admin.id };
    const camera = await createEquipment(database, { ...actor, name: 'Camera' }, now);
    const drill = await createEquipment(database, { ...actor, name: 'Drill' }, now);
    if (!camera.ok || !drill.ok) throw new Error('arrange failed');
    const start = jstDay(now).end + 10 * HOUR;
    const input = { guildId: guildId(), equipmentId: camera.value.id, userId: world.alice.id, locationId: null };
    expect((await createReservation(database, { ...input, startAt: start, endAt: start + HOUR }, now)).ok).toBe(true);
    expect((await deleteEquipment(database, { ...actor, equipmentId: drill.value.id }, now)).ok).toBe(true);
    for (let i = 1; i <= 8; i++) await createTag(database, { ...actor, name: `Tag ${i}` }, now);
    await world.repos.logs.append(
      { guildId: guildId(), userId: admin.id, action: 'location.created', detail: { name: 'Old room' } },
      now - 40 * DAY,
    );

    const log = await (await open(admin)).clickButton('Overall Log');
    expect(embed(log).title).toMatch(/^Overall log: Last 7 days \(\d{4}\/\d{2}\/\d{2}–\d{4}\/\d{2}\/\d{2}\)$/);
    expect(embed(log).footer?.text).toBe(AdminLogText.footer(0, 2, 12, false));
    // A reply shows its message as it is now: read page 1 before turning the page.
    const firstPage = embed(log).description.split('\n');
    expect(firstPage).toHaveLength(10);
    const next = await log.clickButton('Next ▶');
    expect(embed(next).footer?.text).toBe(AdminLogText.footer(1, 2, 12, false));
    const lines = [...firstPage, ...embed(next).description.split('\n')];
    expect(lines).toHaveLength(12);
    const stamp = `\`${formatJst(now)}\` <@${admin.id}>`;
    for (const line of lines) expect(line).toMatch(/^`\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}` <@\d+>/);
    expect(lines).toContain(`${stamp} **Drill**: deleted the equipment (name: Drill, deleted reservations: 0)`);
    expect(lines).toContain(`${stamp} **Drill**: added the equipment (tag: none, location: none)`);
    expect(lines).toContain(`${stamp} **Camera**: added the equipment (tag: none, location: none)`);
    expect(lines).toContain(
      `\`${formatJst(now)}\` <@${world.alice.id}> **Camera**: reserved (time: ${formatJstRange(start, start + HOUR)}, location: none)`,
    );
    expect(lines).toContain(`${stamp}: added a tag (tag: Tag 8, name: Tag 8, sort order: 8)`);
    expect(lines.join('\n')).not.toContain('Old room');

    // Another period: all time includes the old entry.
    const all = await next.selectOptions('Period', ['all']);
    expect(embed(all).title).toBe('Overall log: All time');
    expect(embed(all).footer?.text).toBe(AdminLogText.footer(0, 2, 13, false));
    const last = await all.clickButton('Next ▶');
    expect(embed(last).description.split('\n').at(-1)).toBe(
      `\`${formatJst(now - 40 * DAY)}\` <@${admin.id}>: added a location (name: Old room)`,
    );
    const today = await last.selectOptions('Period', ['today']);
    expect(embed(today).footer?.text).toBe(AdminLogText.footer(0, 2, 12, false));
    expect((await today.clickButton('← Back')).content).toBe(AdminText.menu);
  });

  it('38: exports the reservations of a period as a real CSV file attachment with RFC 4180 quoting', async () => {
    const now = world.now();
    const { repos } = world;
    const tag = await repos.tags.create(guildId(), 'Video, 4K', now);
    const room = await repos.locations.create(guildId(), 'Room "A"', now);
    const item = await repos.equipment.create({ guildId: guildId(), name: 'Camera, "Pro"', tagId: tag.id }, now);
    const plain = await repos.equipment.create({ guildId: guildId(), name: '=Tripod' }, now);
    const other = await repos.equipment.create({ guildId: 'other-guild', name: 'Elsewhere' }, now);
    const tomorrow = jstDay(now).end;
    const reserve = (equipmentId: number, startAt: number, hours: number, locationId: number | null = null) =>
      repos.reservations.insert(
        { equipmentId, userId: world.alice.id, startAt, endAt: startAt + hours * HOUR, locationId },
        now,
      );
    const upcoming = await reserve(item.id, tomorrow + 10 * HOUR, 2, room.id);
    const past = await reserve(item.id, tomorrow - 2 * DAY + 9 * HOUR, 3);
    await repos.reservations.markReturned(past.id, { at: past.endAt - HOUR, locationId: room.id, by: world.bob.id });
    const cancelled = await reserve(plain.id, tomorrow + 13 * HOUR, 1);
    await repos.reservations.setStatus(cancelled.id, 'cancelled');
    const later = await reserve(plain.id, tomorrow + 45 * DAY, 1);
    await reserve(other.id, tomorrow + 10 * HOUR, 1);

    type Attachment = { filename: string; size: number; content_type?: string; url: string };
    // The file as a member downloads it: from the attachment's URL, served by the simulator without a token.
    const download = async (attachment: Attachment | undefined): Promise<Buffer> => {
      const response = await fetch(attachment!.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(world.sim.attachmentData(attachment!.url)).toEqual(bytes);
      return bytes;
    };

    const screen = await (await open(admin)).clickButton('Export CSV');
    const chosen = await screen.selectOptions('Period', ['next-30-days']);
    const exported = await chosen.clickButton('Export CSV');
    await exported.waitForMessage((message) => message.content.startsWith(AdminExportText.sent));
    const [message] = exported.followUps;
    expect(message?.flags ?? 0).toBe(64);
    const [attachment] = message!.attachments as Attachment[];
    expect(attachment?.filename).toMatch(/^reservations-\d{8}-\d{8}\.csv$/);
    expect(attachment?.content_type).toBe('text/csv; charset=utf-8');
    expect(message?.content).toMatch(/: 2 rows \(times in JST\)\.$/);
    const bytes = await download(attachment);
    expect(attachment?.size).toBe(bytes.byteLength);

    const text = bytes.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    // RFC 4180: a field with a comma or a quote is quoted, its quotes doubled; records end with CRLF.
    expect(text).toContain(`,"Camera, ""Pro""","Video, 4K",${world.alice.id},`);
    expect(text).toContain(`,"Room ""A""",`);
    // A field a spreadsheet would run as a formula is defused.
    expect(text).toContain(`,'=Tripod,`);
    const [header, ...records] = parseCsv(text.slice(1));
    expect(header).toEqual(EXPORT_COLUMNS.map((column) => column.header));
    expect(records).toEqual([
      [
        String(upcoming.id),
        'Camera, "Pro"',
        'Video, 4K',
        world.alice.id,
        formatJst(upcoming.startAt),
        formatJst(upcoming.endAt),
        'Confirmed',
        'Room "A"',
        '',
        '',
        '',
      ],
      [
        String(cancelled.id),
        "'=Tripod",
        '',
        world.alice.id,
        formatJst(cancelled.startAt),
        formatJst(cancelled.endAt),
        'Cancelled',
        '',
        '',
        '',
        '',
      ],
    ]);

    // All time: the returned one too, with its return; never another guild's.
    const allTime = await (await exported.selectOptions('Period', ['all'])).clickButton('Export CSV');
    await allTime.waitForMessage((message) => message.content.startsWith(AdminExportText.sent));
    const [allTimeMessage] = allTime.followUps;
    const allBytes = await download((allTimeMessage!.attachments as Attachment[])[0]);
    const all = parseCsv(allBytes.toString('utf8').slice(1)).slice(1);
    expect(all.map((record) => record[0])).toEqual([past.id, upcoming.id, cancelled.id, later.id].map(String));
    expect(all[0]!.slice(6)).toEqual(['Returned', '', formatJst(past.endAt - HOUR), 'Room "A"', world.bob.id]);
    expect(all.some((record) => record[1] === 'Elsewhere')).toBe(false);
  });
});
