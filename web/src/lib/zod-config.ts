/**
 * Imported first by main.tsx, before any schema is built: zod compiles object
 * parsers with `new Function` unless told not to, which the app's CSP
 * (`script-src 'self'`, no 'unsafe-eval') reports as a violation. Parsing without
 * it is a little slower and the web app parses small forms only.
 */
import { config } from "zod";

config({ jitless: true });
