import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../errors/message-update-error.js';

/** The prom-client module, as far as the collector uses it. */
export type PromClientModule = Pick<typeof import('prom-client'), 'Registry' | 'Counter' | 'Gauge' | 'Histogram'>;

// prom-client is CommonJS, and a metrics collector must exist synchronously (the manager binds it at construction),
// so it is loaded with `require` rather than the dynamic `import()` the other optional peers use. In the CommonJS
// build, tsup's shims turn `import.meta.url` into this file's URL.
const requireHere = createRequire(import.meta.url);

/**
 * Loads the optional peer `prom-client`.
 *
 * @param load - how to load a module by name (tests pass one that fails)
 * @returns the module's classes
 * @throws {@link discord-update-manager!MissingPeerDependencyError} when prom-client is not installed or is not the
 *   package expected
 * @internal
 */
export function loadPromClient(load: (id: string) => unknown = requireHere): PromClientModule {
  let loaded: unknown;
  try {
    loaded = load('prom-client');
  } catch (cause) {
    throw missingPeerError({ cause });
  }
  const module = (loaded ?? {}) as Partial<Record<keyof PromClientModule, unknown>>;
  const missing = (['Registry', 'Counter', 'Gauge', 'Histogram'] as const).filter(
    (name) => typeof module[name] !== 'function',
  );
  if (missing.length > 0) {
    throw missingPeerError({ problem: `it does not export ${missing.join(', ')}` });
  }
  return module as PromClientModule;
}

function missingPeerError(details: {
  readonly cause?: unknown;
  readonly problem?: string;
}): MissingPeerDependencyError {
  return new MissingPeerDependencyError('prom-client', 'PrometheusMetricsCollector', { version: '15', ...details });
}
