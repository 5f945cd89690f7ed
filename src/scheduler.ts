import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/**
 * Periodic jobs (node-cron). Several hub instances may share one database: each run takes a
 * PostgreSQL advisory lock named after the job, so only one instance runs a job at a time and the
 * others skip that tick.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
  ) {}

  /** `expression` is a cron expression; six fields give seconds (`*\/5 * * * * *`). */
  add(name: string, expression: string, job: () => Promise<unknown>): void {
    if (!cron.validate(expression)) throw new Error(`Job ${name}: invalid cron expression ${expression}`);
    const task = cron.schedule(
      expression,
      () => {
        const run = this.runExclusive(name, job).catch((error) => this.log.error({ err: error, job: name }, 'scheduled job failed'));
        this.running.add(run);
        void run.finally(() => this.running.delete(run));
      },
      { name, noOverlap: true },
    );
    this.tasks.push(task);
  }

  /** Runs a job once now, in the background, under the same lock (a job that catches up at start). */
  runAtStart(name: string, job: () => Promise<unknown>): void {
    const run = this.runExclusive(name, job).catch((error) => this.log.error({ err: error, job: name }, 'job at start failed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
    await Promise.all(this.running);
  }

  /** Runs `job` if no other instance is running it; returns whether it ran. */
  async runExclusive(name: string, job: () => Promise<unknown>): Promise<boolean> {
    const connection = this.db.createQueryRunner();
    await connection.connect();
    try {
      const [{ locked }] = await connection.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`ocpi-hub:${name}`]);
      if (!locked) return false;
      try {
        await job();
        return true;
      } finally {
        await connection.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`ocpi-hub:${name}`]);
      }
    } finally {
      await connection.release();
    }
  }
}
