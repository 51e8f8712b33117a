/**
 * Every interaction flow of the bot, routed on one {@link InteractionRouter}.
 *
 * @module
 */
import type { InteractionRouter } from '../interactions/router.js';
import { registerAdminFlow } from './admin-flow.js';
import type { FlowDeps } from './flow-deps.js';
import { registerItemSettingsFlow } from './item-settings-flow.js';
import { registerMineFlow } from './mine-flow.js';
import { registerReserveFlow } from './reserve-flow.js';
import { registerReturnFlow } from './return-flow.js';
import { registerSetupFlow } from './setup-flow.js';
import { registerTransferFlow } from './transfer-flow.js';

export type { FlowDeps } from './flow-deps.js';

/**
 * Routes every flow.
 *
 * @param router - the router
 * @param deps - the flows' parts
 */
export function registerFlows(router: InteractionRouter, deps: FlowDeps): void {
  registerSetupFlow(router, deps);
  registerAdminFlow(router, deps);
  registerItemSettingsFlow(router, deps);
  registerMineFlow(router, deps);
  registerTransferFlow(router, deps);
  registerReserveFlow(router, deps);
  registerReturnFlow(router, deps);
}
