/**
 * `eddy/server`: eddy's HTTP/WebSocket ingestion server and live results
 * (uWebSockets.js). A separate entry so that `import … from 'eddy'` does not
 * load uWebSockets.js.
 */
export { startServer, type ServedHandle, type StartServerOptions } from './startServer.js';
export { DEFAULT_SERVE_CONFIG } from './defaultServeConfig.js';
export { EddyServer, DEFAULT_SERVER_OPTIONS, type ServerOptions } from './server.js';
