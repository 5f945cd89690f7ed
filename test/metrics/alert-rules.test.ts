// docs/alerts.rules.yml may only name metrics the hub exports: a renamed metric must fail here, not
// in the operator's Prometheus, where a rule over a missing series is silently never true.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { registry } from '../../src/foundation/metrics';

const rules = parse(readFileSync(path.join(__dirname, '../../docs/alerts.rules.yml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
};

/** Every series name the registry exports (histograms as their _bucket, _sum and _count). */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('the Prometheus alert rules in docs/alerts.rules.yml', () => {
  const all = rules.groups.flatMap((g) => g.rules);

  it('alert on a partner down, a growing outbox backlog and statement mismatches', () => {
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['OcpiPartnerDown', 'OcpiOutboxBacklogGrowing', 'OcpiStatementMismatches']));
  });

  it('name only metrics the hub exports', async () => {
    const exported = await exportedNames();
    const named = all.flatMap((r) => [...r.expr.matchAll(/\bocpi_hub_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((name) => !exported.has(name))).toEqual([]);
  });
});
