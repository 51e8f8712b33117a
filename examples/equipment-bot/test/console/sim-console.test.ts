import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimConsole, CONSOLE_HELP } from '../../src/console/sim-console.js';
import { BotWorld } from '../support/bot-world.js';

describe('the simulator console (npm run bot -- --simulator)', () => {
  let world: BotWorld;
  let terminal: SimConsole;

  beforeEach(async () => {
    world = await BotWorld.create('sqlite');
    const admin = world.addAdmin('admin', 'Admins');
    await world.start();
    await world.repos.equipment.create({ guildId: world.guild.id, name: 'Drill' }, world.now());
    terminal = new SimConsole({
      guild: world.guild,
      channels: [world.channel, world.general],
      members: [admin, world.alice, world.bob],
      advance: (ms) => world.advance(ms),
      settle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await world.app.manager.onIdle();
      },
    });
  });

  afterEach(async () => {
    await world.close();
  });

  it('lets a person run /setup, read the channel and walk into the reservation wizard as another member', async () => {
    expect(await terminal.execute('help')).toBe(CONSOLE_HELP);
    expect(await terminal.execute('/setup #reservations')).toBe(
      '(only you can see this)\nSet this channel as the reservation channel. Is that okay?\n[Confirm] [Cancel]',
    );
    expect(await terminal.execute('click Confirm')).toContain('[▼ Admin roles]');
    expect(await terminal.execute('select Admin roles = Admins')).toContain('[Skip] [Next]');
    expect(await terminal.execute('click Next')).toContain('Admin roles: @Admins');
    expect(await terminal.execute('click Complete')).toContain('Setup complete. #reservations is now');
    expect(await terminal.execute('as alice')).toBe('You are alice.');
    const channel = await terminal.execute('show');
    expect(channel).toContain('#1\n┌ **Equipment reservations**');
    expect(channel).toContain('#2\n┌ **Drill**');
    const wizard = await terminal.execute('click New Reservation on 2');
    expect(wizard).toContain('Step 1 of 5: choose the month.');
    const month = wizard.match(/○ (\d{4}\/\d{2})/)?.[1];
    expect(await terminal.execute(`select Month = ${month}`)).toContain('Step 2 of 5: choose the date.');
    expect(await terminal.execute('last')).toContain('Step 2 of 5');
    expect(await terminal.execute('wait 15m')).toBe("The bot's clock moved 15m forward.");
    expect(await terminal.execute('dms')).toBe('(no messages)');
  });

  it('answers mistakes with what is allowed, never with a crash', async () => {
    expect(await terminal.execute('as zed')).toBe('✗ No member "zed". Members: admin, alice, bob.');
    expect(await terminal.execute('click Confirm')).toBe('✗ admin has no answer yet: run a command or click first.');
    expect(await terminal.execute('show #nowhere')).toBe('✗ No channel "#nowhere". Channels: #reservations, #general.');
    expect(await terminal.execute('wait soon')).toBe('✗ "soon" is not a duration: write e.g. 15m, 3h or 1d.');
    expect(await terminal.execute('dance')).toBe('Unknown command "dance". Type help.');
    await terminal.execute('/setup #reservations');
    expect(await terminal.execute('select Month = 2026/12')).toBe(
      '✗ No select "Month" in your last answer (there is none).',
    );
    expect(await terminal.execute('click Confirm on 9')).toMatch(/^✗ There is no message 9 \(there are \d+\)\.$/);
  });
});
