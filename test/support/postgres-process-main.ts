/** The process behind test/support/postgres-process.ts: `<data dir> <port> [native dir] [relocation base]`; SIGTERM stops the server. */
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port, nativeDir, relocationBase] = process.argv.slice(2);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: Number(port),
    persistent: true,
    nativeDir: nativeDir || undefined,
    relocationBase: relocationBase || undefined,
  });
  process.stdout.write(`ready ${server.url}\n`);
  process.on('SIGTERM', () => {
    server.stop().finally(() => process.exit(0));
  });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
