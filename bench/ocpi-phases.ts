/**
 * What the hub process of bench:ocpi sees during each phase the load process names: its event-loop
 * delay (perf_hooks.monitorEventLoopDelay), how long each query waited for a pool connection and how
 * many waited beside it (pg Pool `waitingCount`), garbage-collection pauses, and with
 * BENCH_PROFILE=<dir> a CPU profile of the phase (`hub-<phase>.cpuprofile`, open it in Chrome DevTools).
 * So a stall in a phase's tail shows its cause beside the figure: a busy loop, a full pool, or GC.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';

/** What one phase of the hub process looked like (sent to the load process, printed beside the figures). */
export interface HubPhaseStats {
  phase: string;
  eventLoopDelay: { p50: number; p99: number; max: number };
  /** Time from asking the pool for a connection until getting one, per query or transaction. */
  poolAcquire: { count: number; p99: number; max: number; waitedOver1ms: number };
  /** The most callers waiting for a connection at once (pg Pool waitingCount, read at each request). */
  poolMaxWaiting: number;
  /** Garbage-collection pauses of the phase: count, sum and longest. */
  gc: { count: number; totalMs: number; maxMs: number };
  /**
   * The hub process's CPU time (user + system) beside the phase's wall time: near the wall time, the
   * hub was busy; far below it while the loop delay is high, it was waiting to be scheduled (a
   * machine shared with other work).
   */
  cpu: { ms: number; wallMs: number };
}

interface PgPool {
  connect: (...args: unknown[]) => unknown;
  waitingCount: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

/** Starts watching the hub's pool, loop and GC; `begin`/`end` bracket one phase. */
export function hubPhaseMonitor(db: DataSource, profileDir = process.env.BENCH_PROFILE) {
  const pool = (db.driver as unknown as { master: PgPool }).master;
  let acquires: number[] = [];
  let maxWaiting = 0;
  const connect = pool.connect.bind(pool);
  // typeorm asks with a callback (PostgresDriver.obtainMasterConnection); pg answers promises without one.
  pool.connect = (...args: unknown[]) => {
    const t0 = performance.now();
    maxWaiting = Math.max(maxWaiting, pool.waitingCount);
    const callback = args[0] as ((error: unknown, client: unknown, release: unknown) => void) | undefined;
    if (typeof callback !== 'function') {
      return (connect() as Promise<unknown>).then((client) => {
        acquires.push(performance.now() - t0);
        return client;
      });
    }
    return connect((error: unknown, client: unknown, release: unknown) => {
      acquires.push(performance.now() - t0);
      callback(error, client, release);
    });
  };
  let gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let loop: IntervalHistogram | undefined;
  let phase: string | undefined;
  let session: Session | undefined;
  let cpuAtBegin = process.cpuUsage();
  let wallAtBegin = performance.now();

  return {
    async begin(name: string): Promise<void> {
      phase = name;
      acquires = [];
      gcPauses = [];
      maxWaiting = 0;
      loop?.disable();
      loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      cpuAtBegin = process.cpuUsage();
      wallAtBegin = performance.now();
      if (profileDir) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
    },
    async end(): Promise<HubPhaseStats> {
      loop!.disable();
      const cpu = process.cpuUsage(cpuAtBegin);
      const wallMs = performance.now() - wallAtBegin;
      const sorted = [...acquires].sort((a, b) => a - b);
      const stats: HubPhaseStats = {
        phase: phase!,
        eventLoopDelay: { p50: loop!.percentile(50) / 1e6, p99: loop!.percentile(99) / 1e6, max: loop!.max / 1e6 },
        poolAcquire: { count: sorted.length, p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0, waitedOver1ms: sorted.filter((t) => t > 1).length },
        poolMaxWaiting: maxWaiting,
        gc: { count: gcPauses.length, totalMs: gcPauses.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...gcPauses) },
        cpu: { ms: (cpu.user + cpu.system) / 1000, wallMs },
      };
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(path.join(profileDir!, `hub-${phase}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
        session = undefined;
      }
      return stats;
    },
    stop(): void {
      loop?.disable();
      gc.disconnect();
      pool.connect = connect;
    },
  };
}

/** One line of a phase's stats, for the bench's table. */
export function phaseStatsText(s: HubPhaseStats): string {
  const f = (n: number) => n.toFixed(1);
  return (
    `hub during ${s.phase}: event-loop delay p50 ${f(s.eventLoopDelay.p50)} / p99 ${f(s.eventLoopDelay.p99)} / max ${f(s.eventLoopDelay.max)} ms; ` +
    `pool acquire p99 ${f(s.poolAcquire.p99)} / max ${f(s.poolAcquire.max)} ms (${s.poolAcquire.waitedOver1ms} of ${s.poolAcquire.count} waited > 1 ms, at most ${s.poolMaxWaiting} waiting); ` +
    `GC ${s.gc.count} pauses, ${f(s.gc.totalMs)} ms in all, longest ${f(s.gc.maxMs)} ms; ` +
    `CPU ${s.cpu.ms.toFixed(0)} ms in ${s.cpu.wallMs.toFixed(0)} ms (${((100 * s.cpu.ms) / s.cpu.wallMs).toFixed(0)} % of a core)`
  );
}
