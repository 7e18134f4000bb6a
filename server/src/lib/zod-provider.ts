/**
 * Zod for route schemas, from fastify-type-provider-zod (ADR 018). Kept as this
 * module so route files import the provider from one place.
 */
export type { ZodTypeProvider } from "fastify-type-provider-zod";
export { validatorCompiler as zodValidatorCompiler } from "fastify-type-provider-zod";
