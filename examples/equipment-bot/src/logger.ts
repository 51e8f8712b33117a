import type { LogLevel } from './config.js';

/** The bot's logger: four levels, one line each. Never give it a token. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const ORDER: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * A console logger that prints the levels up to `level`, with an ISO time and the level.
 *
 * @param level - the most verbose level printed
 * @param write - where lines go (default: `console.error`, so stdout stays free for a report)
 * @returns the logger
 */
export function consoleLogger(level: LogLevel, write: (line: string) => void = (line) => console.error(line)): Logger {
  const at = (wanted: LogLevel) => (message: string) => {
    if (ORDER[wanted] <= ORDER[level]) write(`${new Date().toISOString()} ${wanted.padEnd(5)} ${message}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that keeps nothing (tests). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
