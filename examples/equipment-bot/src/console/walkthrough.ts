/**
 * The walkthrough of the bot's main flows, played on the sample world by the simulator console: the commands a
 * person types and what the console prints — the bot's ephemeral answers, the channel, the DMs — as text made from
 * the simulator's state. `npm run bot:walkthrough` writes it to `examples/equipment-bot/WALKTHROUGH.md`; a test plays
 * it and checks every step answered.
 *
 * @module
 */
import type { SampleWorld } from './sample-world.js';

/** One section of the walkthrough. */
export interface WalkthroughSection {
  readonly title: string;
  /** What the section shows, for the reader. */
  readonly about: string;
  /**
   * The console commands. `{Title}` stands for the number of the channel message titled `Title` as the current
   * member sees the channel; `{until-start}` for the time until the first reservation starts, plus a minute.
   */
  readonly commands: readonly string[];
}

/** The walkthrough's sections, in order. */
export const WALKTHROUGH: readonly WalkthroughSection[] = [
  {
    title: 'An administrator sets up the reservation channel',
    about:
      'admin runs `/setup` in #reservations: confirms the channel, skips the admin roles (server administrators can ' +
      'always manage), checks the summary and completes. The bot then fills the channel.',
    commands: ['/setup #reservations', 'click Confirm', 'click Skip', 'click Complete'],
  },
  {
    title: 'What every member sees in #reservations',
    about:
      'The header with Overall Management, then one message per item — by tag order, then name, untagged last — ' +
      'each with its status, reservations and four buttons.',
    commands: ['as alice', 'show #reservations'],
  },
  {
    title: 'A member reserves an item',
    about:
      'alice clicks New Reservation under Laptop 1: one ephemeral wizard, edited in place — month, date, start time ' +
      '(JST), duration, location, confirm. The item’s message then lists her reservation.',
    commands: [
      'click New Reservation on {[PCs] Laptop 1}',
      'select Month = #1',
      'select Date = #2',
      'select Start time = #20',
      'select Duration = #4',
      'select Location = Lab',
      'click Confirm',
      'show #reservations',
    ],
  },
  {
    title: 'Check/Change: her own reservations, and handing one over',
    about:
      'Check/Change Reservation lists only alice’s own reservations of the item; she hands this one to bob, who ' +
      'gets a direct message with Approve / Deny.',
    commands: [
      'click Check/Change Reservation on {[PCs] Laptop 1}',
      'select Choose one of your reservations = #1',
      'click Transfer Owner',
      'select New owner = bob',
      'as bob',
      'dms',
      'click Approve on dm 1',
    ],
  },
  {
    title: 'The loan starts, and bob returns the item',
    about:
      'The bot’s clock moves to the start of the reservation: the embed shows the item Loaned. bob clicks Return and ' +
      'picks where he puts it (an item’s default return location would be pre-selected, and returning there ' +
      'completes at once); another place is confirmed first. He then has an hour to undo or correct the return.',
    commands: [
      'wait {until-start}',
      'show #reservations',
      'click Return on {[PCs] Laptop 1}',
      'select Return location = Club room',
      'click Return',
      'click Yes',
    ],
  },
  {
    title: 'An administrator: the item’s settings and its log',
    about: 'This Equipment’s Settings opens for administrators and admin-role members only.',
    commands: ['as admin', "click This Equipment's Settings on {[PCs] Laptop 1}", 'click Log'],
  },
  {
    title: 'An administrator: Overall Management and the CSV export',
    about: 'Overall Management adds equipment, manages tags, locations and admin roles, shows the log and exports CSV.',
    commands: ['click Overall Management on {Equipment reservations}', 'click Export CSV', 'click Export CSV'],
  },
];

/** One played command and what the console printed. */
export interface PlayedCommand {
  readonly member: string;
  readonly command: string;
  readonly output: string;
}

/** A played section. */
export interface PlayedSection {
  readonly section: WalkthroughSection;
  readonly commands: readonly PlayedCommand[];
}

/**
 * Plays the walkthrough on a sample world.
 *
 * @param world - a fresh sample world (nobody has run `/setup`)
 * @returns each section with what each command printed
 */
export async function playWalkthrough(world: SampleWorld): Promise<PlayedSection[]> {
  const played: PlayedSection[] = [];
  for (const section of WALKTHROUGH) {
    const commands: PlayedCommand[] = [];
    for (const template of section.commands) {
      const command = await expand(world, template);
      const member = world.console.user.username;
      commands.push({ member, command, output: await world.console.execute(command) });
    }
    played.push({ section, commands });
  }
  return played;
}

/**
 * The walkthrough as Markdown.
 *
 * @param played - what {@link playWalkthrough} returned
 * @returns the document
 */
export function walkthroughMarkdown(played: readonly PlayedSection[]): string {
  const lines = [
    '# Walkthrough: the equipment bot on the simulator',
    '',
    'Made by `npm run bot:walkthrough`, which plays these commands in the console of `npm run bot -- --simulator`',
    '(a simulated Discord: guild "Equipment Club", members admin, alice and bob, four sample items) and records what',
    'it printed: the bot’s answers, the channel and the DMs, as text made from the simulator’s state. `(only you can',
    'see this)` marks an ephemeral answer; buttons are in brackets, selects show their options (● chosen). Dates and',
    'ids change from run to run. Type the same commands yourself to walk the flows.',
    '',
  ];
  for (const [index, { section, commands }] of played.entries()) {
    lines.push(`## ${index + 1}. ${section.title}`, '', section.about, '', '```text');
    for (const { member, command, output } of commands) lines.push(`${member}> ${command}`, output, '');
    lines.pop();
    lines.push('```', '');
  }
  return lines.join('\n');
}

async function expand(world: SampleWorld, template: string): Promise<string> {
  let command = template;
  if (command.includes('{until-start}')) {
    const { app } = world;
    const starts = await app.database.db
      .selectFrom('reservations')
      .select('start_at')
      .where('status', '=', 'confirmed')
      .orderBy('start_at')
      .limit(1)
      .execute();
    if (starts[0] === undefined) throw new Error('Walkthrough: {until-start} needs a confirmed reservation.');
    const minutes = Math.max(1, Math.ceil((Number(starts[0].start_at) - world.now()) / 60_000) + 1);
    command = command.replace('{until-start}', `${minutes}m`);
  }
  for (const match of command.matchAll(/\{([^}]+)\}/g)) {
    const title = match[1]!;
    const messages = world.console.user.messagesIn(world.console.channel);
    const at = messages.findIndex((message) => JSON.stringify(message.embeds).includes(`"title":"${title}"`));
    if (at < 0) throw new Error(`Walkthrough: no message titled "${title}" in the channel.`);
    command = command.replace(match[0], String(at + 1));
  }
  return command;
}
