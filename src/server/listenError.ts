/**
 * The error for a server that could not bind its address. Its own module
 * (no uWebSockets.js import) so the CLI can tell it apart cheaply.
 */

/** The server could not bind its address (a port in use, a host not permitted): a runtime failure, not bad usage. */
export class ListenError extends Error {
  override name = 'ListenError';
}
