import type { ManagerEventMap } from './types.js';

/**
 * Emits one of the manager's events. Every part of the manager reports through this one function; a listener that
 * throws cannot corrupt the manager's state (see `MessageUpdateManager`).
 */
export type EmitEvent = <K extends keyof ManagerEventMap>(event: K, ...args: ManagerEventMap[K]) => void;
