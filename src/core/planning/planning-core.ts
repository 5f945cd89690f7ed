/**
 * Site planning core: a planner over time, bookings and their rules, availability search, and a
 * synthetic day for benchmarks. Pure functions, no I/O. See docs/scheduling.md.
 */
export * from './planning-slots';
export * from './planner';
export * from './opening-hours';
export * from './booking-rules';
export * from './booking-availability';
export * from './synthetic-day';
export * from './schedule-changes';
export * from './site-plan';
