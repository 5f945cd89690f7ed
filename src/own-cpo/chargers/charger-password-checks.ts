import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyChargerPassword } from './charger-passwords';

/**
 * Charger password checks that survive a reconnect storm.
 *
 * An scrypt verification costs tens of milliseconds of CPU and 16 MiB of memory by design; 10,000
 * chargers reconnecting after a network blip would take minutes on a small machine, and while the
 * libuv thread pool is busy with scrypt nothing else that needs it runs (the PostgreSQL driver's
 * SCRAM login, for one: new pool connections time out and every charger is answered 503). So:
 *
 * - A successful verification is remembered per charger, for `ttlMs`, as an HMAC-SHA-256 (under a key
 *   drawn at start and never stored) of the password presented, together with the stored hash it was
 *   verified against. The same charger presenting the same password while the stored hash is unchanged
 *   is accepted without scrypt. The stored hash is still read from the database at every connection, so
 *   a new password or a removed charger takes effect at once, on every instance.
 * - Failed verifications are never remembered: guessing still costs scrypt every time.
 * - At most `concurrency` scrypt computations run at a time (the others wait), so the thread pool
 *   always has room for the database driver and the file system.
 *
 * The trade-off: while a charger's entry lives, this process's memory holds a fast keyed digest of
 * its password. Someone able to read the hub's memory can read the key too and try guesses at SHA-256
 * speed instead of scrypt speed, for the passwords of chargers that connected in the last `ttlMs`.
 * Hub-generated passwords (160 random bits) are out of reach either way; short human-chosen ones are
 * not, which is what scrypt in the database protects. Anyone who can read the hub's memory also sees
 * the passwords themselves as chargers present them, so this adds little to what such an attacker has.
 * The stored hashes (a database leak, the likelier case) are unchanged.
 *
 * A restarted hub remembers nothing: its first storm pays scrypt for every charger (bench:ocpp
 * measures that too, as "storm after a hub restart").
 */
export class ChargerPasswordChecks {
  private readonly key = randomBytes(32);
  /** Charger id → what was verified; Map order is insertion order, so the first entry is the oldest. */
  private readonly verified = new Map<string, { digest: Buffer; storedHash: string; until: number }>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; concurrency: number } = { ttlMs: 15 * 60_000, maxEntries: 200_000, concurrency: 2 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `password` matches `storedHash`, the charger's hash as the database holds it now. */
  async verify(chargerId: string, password: Buffer, storedHash: string): Promise<boolean> {
    const digest = createHmac('sha256', this.key).update(password).digest();
    const known = this.verified.get(chargerId);
    if (known && known.storedHash === storedHash && known.until > this.now() && timingSafeEqual(known.digest, digest)) return true;
    const matches = await this.scrypt(password, storedHash);
    if (matches) {
      this.verified.delete(chargerId);
      if (this.verified.size >= this.options.maxEntries) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(chargerId, { digest, storedHash, until: this.now() + this.options.ttlMs });
    }
    return matches;
  }

  /** An scrypt verification that remembers nothing (an unknown charger is answered as slowly as a wrong password). */
  async verifyWithoutMemory(password: Buffer, storedHash: string): Promise<boolean> {
    return this.scrypt(password, storedHash);
  }

  /** Drops what is remembered of a charger (its password changed or it was removed through this instance). */
  forget(chargerId: string): void {
    this.verified.delete(chargerId);
  }

  private async scrypt(password: Buffer, storedHash: string): Promise<boolean> {
    while (this.running >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await verifyChargerPassword(password, storedHash);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
