import type { GuildEvent } from './guild/guild-registry.js';
import type { StoredInteraction, StoredMessage } from './message-store.js';

/**
 * A change in the simulated world that Discord reports on the gateway. The API and the guild registry emit them; the
 * gateway bridge turns each into the dispatch every bot allowed to see it receives.
 */
export type WorldEvent =
  | { readonly type: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE'; readonly message: StoredMessage }
  | { readonly type: 'MESSAGE_DELETE_BULK'; readonly channelId: string; readonly ids: readonly string[] }
  | {
      readonly type: 'INTERACTION_CREATE';
      readonly interaction: StoredInteraction;
      readonly payload: Record<string, unknown>;
    }
  | GuildEvent;
