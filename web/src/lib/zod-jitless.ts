/**
 * What `import … from "zod"` means in the web build (vite.config.ts aliases it
 * here): zod, configured before any schema is built. zod compiles object
 * parsers with `new Function` unless told not to, and probes for it when an
 * object schema is built, which the app's CSP (`script-src 'self'`, no
 * 'unsafe-eval') reports as a violation. Parsing without it is a little slower
 * and the web app parses small forms only.
 *
 * An alias rather than an import at the top of main.tsx: that import put zod's
 * core (~40 kB) on the first page, which builds no schema (ADR 016). This module
 * is evaluated right after zod and before any module that imports it.
 */
import { config } from "zod/v4/core";

config({ jitless: true });

export * from "zod/v4";
export { z as default } from "zod/v4";
