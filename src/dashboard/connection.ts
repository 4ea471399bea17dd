/**
 * The `/live` WebSocket, reconnecting by itself: after a close it waits
 * 250 ms, doubling up to 8 s (±20 % jitter) between attempts, and starts
 * over at 250 ms once a connection opens.
 */

/** What the page shows in its status pill. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** Most state changes remembered (for tests and the status tooltip). */
const MAX_TRANSITIONS = 50;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;

/** A change of connection state (kept for tests and the tooltip). */
export interface Transition {
  state: ConnectionState;
  /** ms since the page loaded. */
  at: number;
}

/** The page's /live WebSocket with automatic reconnection (see the module comment). */
export class LiveConnection {
  state: ConnectionState = 'disconnected';
  readonly transitions: Transition[] = [];
  /** Connections opened. */
  opens = 0;
  /** Attempts since the last open. */
  attempt = 0;
  /** When the next attempt starts (ms since page load), while disconnected. */
  retryAt: number | null = null;
  private ws: WebSocket | null = null;

  constructor(
    private readonly url: () => string,
    private readonly onMessage: (data: string) => void,
    private readonly onState: (state: ConnectionState) => void,
    private readonly onOpen: () => void,
  ) {}

  start(): void {
    this.connect();
  }

  /** Sends a JSON message when connected. */
  send(message: unknown): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    if (this.transitions.length >= MAX_TRANSITIONS) this.transitions.shift();
    this.transitions.push({ state, at: Math.round(performance.now()) });
    this.onState(state);
  }

  private connect(): void {
    this.retryAt = null;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.opens++;
      this.attempt = 0;
      this.setState('connected');
      this.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.onMessage(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.retry();
    };
    // an error is followed by close
    ws.onerror = () => undefined;
  }

  private retry(): void {
    this.setState('disconnected');
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt) * (0.8 + 0.4 * Math.random());
    this.attempt++;
    this.retryAt = performance.now() + delay;
    setTimeout(() => this.connect(), delay);
  }
}
