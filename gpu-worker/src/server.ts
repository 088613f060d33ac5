/**
 * Process concerns only: read the config, create Fastify with the logger (pretty only when
 * stdout is a TTY and pino-pretty is installed; JSON otherwise), server timeouts, register the
 * app, listen, and drain on SIGTERM/SIGINT with close-with-grace. Exit 1 on a bad config or a
 * failed listen.
 */
import Fastify from "fastify";
import closeWithGrace from "close-with-grace";
import { ConfigError, loadConfig } from "./config.ts";
import app from "./app.ts";
import { requestIdOptions } from "./request-id.ts";

/** Time allowed to drain in-flight requests on shutdown before forcing exit. */
const CLOSE_GRACE_MS = 15_000;

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const server = Fastify({
  logger: { level: config.LOG_LEVEL },
  // The caller's x-request-id (the Worker's) or a new one, logged as `requestId`.
  ...requestIdOptions,
  // Time to receive the whole request (the upload). No socket idle timeout: an answer may take
  // minutes while the request waits in the queue and runs, with no bytes on the socket meanwhile.
  requestTimeout: config.REQUEST_TIMEOUT_MS,
  connectionTimeout: 0,
  keepAliveTimeout: 72_000,
  bodyLimit: 1024 * 1024, // JSON bodies; uploads are limited by MAX_UPLOAD_BYTES
});

await server.register(app, { config });

closeWithGrace({ delay: CLOSE_GRACE_MS }, async function shutdown({ signal, err }) {
  if (err) server.log.error({ err }, "closing after an error");
  else server.log.info({ signal }, "closing");
  await server.close();
});

try {
  await server.listen({ host: config.HOST, port: config.PORT });
} catch (err) {
  server.log.error({ err }, "listen failed");
  process.exit(1);
}
