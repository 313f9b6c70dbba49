/**
 * Field builders for the config schemas whose limit is stated once: the same text is the error message a bad value
 * gets and, through zod's metadata (`z.toJSONSchema` copies it), the "Allowed" column of docs/configuration.md
 * (`npm run docs`). Each field's one-line description is its `.describe()`, so it reaches the same table.
 */
import { z } from "zod";

declare module "zod" {
  interface GlobalMeta {
    /** What a value must be, in words (a regular expression or a custom check alone would not say it). */
    rule?: string;
    /** The default of an optional key that is computed from other keys (not a name: names are derived and shown). */
    derivedDefault?: string;
  }
}

/** A string matching `pattern`; `rule` ("must be ...") is the error message and the documented limit. */
export function matching(pattern: RegExp, rule: string) {
  return z.string().regex(pattern, rule).meta({ rule });
}

/** `schema` refined by `valid`; `rule` is the error message and the documented limit. */
export function checked<T extends z.ZodType>(schema: T, valid: (value: z.output<T>) => boolean, rule: string) {
  return schema.refine(valid, rule).meta({ rule });
}

/**
 * `schema` checked against one of Azure's published lists (config/azure-offerings.ts): `problem` words the error,
 * closest valid value included; `rule` is the documented limit.
 */
export function offeredBy<T extends z.ZodType>(schema: T, problem: (value: z.output<T>) => string | undefined, rule: string) {
  return schema
    .superRefine((value, ctx) => {
      const text = problem(value as z.output<T>);
      if (text) ctx.addIssue({ code: "custom", message: text });
    })
    .meta({ rule });
}
