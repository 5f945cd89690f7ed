/**
 * What bench/ocpp.ts asks of a server process under test (the hub's or the bare one), over IPC, the
 * same way for both: its resident memory after a full garbage collection, and how many chargers it
 * holds connected.
 */
export type ServerQuery = { query: 'rss'; id: number } | { query: 'connections'; id: number };

/** Resident set size in bytes after collecting garbage twice (both processes run with --expose-gc). */
async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return process.memoryUsage().rss;
}

export function serveServerQueries(connections: () => number, extra?: (message: Record<string, unknown>) => Promise<unknown> | undefined): void {
  process.on('message', (message: ServerQuery & Record<string, unknown>) => {
    const answer =
      message.query === 'rss'
        ? settledRss().then((rss) => ({ rss }))
        : message.query === 'connections'
          ? Promise.resolve({ connections: connections() })
          : extra?.(message);
    if (!answer) return;
    Promise.resolve(answer).then(
      (value) => process.send!({ id: message.id, ...(value as object) }),
      (error: Error) => process.send!({ id: message.id, error: error.stack ?? String(error) }),
    );
  });
}
