import type { z } from 'zod';
import { describeIssues } from '../../foundation/zod-issues';
import { ocpiErrors } from './ocpi-errors';

/** Parses an OCPI request body or throws 2001 with every problem named. */
export function parseOcpiBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  if (body === undefined) throw ocpiErrors.invalidParameters(`The request body must be a ${what} object`);
  const result = schema.safeParse(body);
  if (!result.success) throw ocpiErrors.invalidParameters(`Invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}
