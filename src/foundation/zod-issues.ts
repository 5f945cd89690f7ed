import type { z } from 'zod';

/**
 * A readable list of what is wrong, e.g. `roles.0.party_id: party_id must be 3 letters or digits`:
 * the one wording every edge (OCPI 2001, admin 400, configuration, CLI) gives a failed parse.
 * `limit` keeps an answer to a hostile body short; the configuration and the CLI name every problem.
 */
export function describeIssues(error: z.ZodError, limit = 10): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
