/** The AFIR core (docs/afir.md): rules, the tariff lint, the readiness report, the NAP publications. Pure. */
export * from './afir-rules';
export * from './afir-tariff-lint';
export * from './afir-readiness';
export * from './accepted-service-providers';
