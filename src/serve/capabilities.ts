// src/serve/capabilities.ts
// The capabilities a handler may need beyond files: --auth (src/auth), the config file's URL
// rules (src/config) and the proxy to an app (src/proxy). Each is a module that loads only when
// the options ask for it, so that a plain start neither loads nor runs any of their code.
import type { ServeOptions } from './options.js';

/** The modules of the capabilities in use; a missing one is off. */
export interface Capabilities {
  readonly auth?: typeof import('../auth/index.js');
  readonly rules?: typeof import('../config/index.js');
  readonly proxy?: typeof import('../proxy/index.js');
}

/** Which capabilities `options` turn on. */
export function capabilitiesWanted(options: ServeOptions): Record<keyof Capabilities, boolean> {
  return {
    auth: options.auth !== undefined,
    rules:
      options.trailingSlash === true ||
      [options.redirects, options.rewrites, options.headerRules, options.unlisted, options.hidden].some(
        (list) => list !== undefined && list.length > 0,
      ),
    proxy: options.proxy !== undefined,
  };
}

/** Loads the modules of the capabilities `options` turn on (startServer's way: asynchronous). */
export async function loadCapabilities(options: ServeOptions): Promise<Capabilities> {
  const wanted = capabilitiesWanted(options);
  const [auth, rules, proxy] = await Promise.all([
    wanted.auth ? import('../auth/index.js') : undefined,
    wanted.rules ? import('../config/index.js') : undefined,
    wanted.proxy ? import('../proxy/index.js') : undefined,
  ]);
  return {
    ...(auth === undefined ? {} : { auth }),
    ...(rules === undefined ? {} : { rules }),
    ...(proxy === undefined ? {} : { proxy }),
  };
}

/**
 * Throws when `options` turn on a capability `capabilities` lack: a programming mistake (a
 * caller that built the handler without loading what its options need), never a user's.
 */
export function checkCapabilities(options: ServeOptions, capabilities: Capabilities): void {
  const wanted = capabilitiesWanted(options);
  for (const name of Object.keys(wanted) as (keyof Capabilities)[]) {
    if (wanted[name] && capabilities[name] === undefined) {
      throw new Error(`the options need the ${name} capability, which was not loaded (loadCapabilities)`);
    }
  }
}
