// The CI step's reading of `npm audit --json` (.ci/audit-verdict.js, plain JavaScript run by .ci/run).
const { verdict } = require('../../.ci/audit-verdict.js') as { verdict: (text: string) => { exit: number; lines: string[] } };

const report = (counts: Record<string, number>, vulnerabilities: Record<string, unknown> = {}) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts } } });

describe('the npm audit step of .ci/run', () => {
  it('fails on high or critical findings and names them', () => {
    const result = verdict(
      report({ high: 1, critical: 1, moderate: 2 }, {
        'bad-lib': { name: 'bad-lib', severity: 'critical', range: '<1.2.3', fixAvailable: true },
        'old-lib': { name: 'old-lib', severity: 'high', range: '<=0.9.0', fixAvailable: false },
        'meh-lib': { name: 'meh-lib', severity: 'moderate', range: '*', fixAvailable: true },
      }),
    );
    expect(result).toEqual({
      exit: 1,
      lines: [
        '== npm audit: 1 critical, 1 high, 2 moderate, 0 low; high and critical findings fail the build:',
        '   critical: bad-lib <1.2.3 (fix available: npm audit fix)',
        '   high: old-lib <=0.9.0',
      ],
    });
  });

  it('passes with only moderate or low findings', () => {
    expect(verdict(report({ moderate: 3, low: 1 }))).toEqual({ exit: 0, lines: ['== npm audit: no high or critical findings (0 critical, 0 high, 3 moderate, 1 low)'] });
  });

  it('says why and continues when the audit could not run (no audit endpoint, no network)', () => {
    const mirror = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405, error: { summary: '', detail: '' } });
    expect(verdict(mirror)).toEqual({ exit: 0, lines: ['== npm audit could not run (405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk); continuing'] });
    expect(verdict(JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND registry.npmjs.org' } })).lines).toEqual([
      '== npm audit could not run (getaddrinfo ENOTFOUND registry.npmjs.org); continuing',
    ]);
    expect(verdict('')).toEqual({ exit: 0, lines: ['== npm audit could not run (no JSON report: empty output); continuing'] });
  });
});
