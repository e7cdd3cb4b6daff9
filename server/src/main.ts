/**
 * Starts the Carebridge server: parse the environment, open and migrate the database, seed demo
 * data on first start, listen, and shut down cleanly on SIGTERM/SIGINT.
 */
import http from 'node:http';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { createLogger, stdoutLogSink } from './platform/logging.js';
import { openDatabase } from './platform/db/index.js';
import { createApp } from './app.js';
import { compose } from './composition.js';
import { prepareDemoData } from './demo.js';
import { rebuildDroppedIndexes } from './fhir/index.js';
import { attachRealtime } from './platform/realtime/index.js';

/** How long a stop may take (open sockets, running jobs) before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long the last log lines may take to reach their reader on the way out. */
const LOG_FLUSH_MS = 500;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.databasePath, { onCheckpointError: (err) => logger.error({ err }, 'WAL checkpoint worker failed; checkpointing on the main thread') });
  // A bulk load killed mid-way leaves its search indexes dropped; put them back before serving.
  const rebuilt = rebuildDroppedIndexes(database.sqlite, (message) => logger.warn(message));
  if (rebuilt > 0) logger.warn({ rebuilt }, 'rebuilt search indexes left dropped by an interrupted seed');
  const composition = compose({ config, logger, database });
  await composition.start();
  await prepareDemoData(composition);

  const server = http.createServer(createApp(composition));
  const realtime = attachRealtime(server, composition.realtime);
  server.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info({ port, demoMode: config.demoMode }, `Carebridge listening on http://localhost:${port}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Armed before anything else runs, so a stop that stalls anywhere still ends the process.
    const force = setTimeout(() => {
      logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'did not stop within the grace period; exiting');
      void stdoutLogSink().flush(LOG_FLUSH_MS).finally(() => process.exit(1));
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    logger.info({ signal }, 'shutting down');
    void realtime.close();
    // Modules stop (the job worker waits for running jobs) before the database closes.
    const modulesClosed = composition.close().catch((err: unknown) => logger.error({ err }, 'a module did not close cleanly'));
    server.close(() => {
      void modulesClosed
        .then(() => database.close())
        .catch((err: unknown) => logger.error({ err }, 'the database did not close cleanly'))
        .then(() => {
          const { dropped } = stdoutLogSink();
          logger.info(dropped > 0 ? { droppedLogLines: dropped } : {}, 'stopped');
          return stdoutLogSink().flush(LOG_FLUSH_MS);
        })
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`Carebridge failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
