import type { z } from 'zod';
import { ocpiErrors } from './ocpi-errors';

/** A readable list of what is wrong, e.g. `roles.0.party_id: party_id must be 3 letters or digits`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses an OCPI request body or throws 2001 with every problem named. */
export function parseOcpiBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  if (body === undefined) throw ocpiErrors.invalidParameters(`The request body must be a ${what} object`);
  const result = schema.safeParse(body);
  if (!result.success) throw ocpiErrors.invalidParameters(`Invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}
