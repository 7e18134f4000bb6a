import type { FastifySchemaCompiler, FastifyTypeProvider } from "fastify";
import type { z } from "zod";

/** Lets routes declare zod schemas and get typed, transformed request parts. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

/** Validates with the route's zod schema; the parsed (trimmed, defaulted) value replaces the input. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: result.error as unknown as Error };
  };
