import type { RESTPutAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';

/**
 * The bot's slash commands, registered at start with `PUT /applications/{id}/commands` (idempotent: the list
 * replaces the previous one, and commands keep their ids). `/setup` is hidden from members without Administrator
 * (`default_member_permissions` `"8"`) and usable in servers only; the handler checks again.
 */
export const SLASH_COMMANDS: RESTPutAPIApplicationCommandsJSONBody = [
  {
    name: 'setup',
    description: 'Make this channel the reservation channel (administrators)',
    default_member_permissions: '8',
    contexts: [0],
  },
];
