/**
 * The process and Node.js metrics every Node service dashboard expects, under
 * the names prom-client's defaults use (so existing Grafana boards work):
 * CPU seconds, resident memory, start time, V8 heap, external memory, and
 * event-loop delay (mean and p99 since the previous scrape).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from './metrics.js';

let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** One event-loop delay monitor per process (its timer does not keep the process alive), made on first use. */
function eventLoopDelay(): ReturnType<typeof monitorEventLoopDelay> {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
  }
  return loopDelay;
}

/** Registers the process_* and nodejs_* metrics on `registry`. */
export function registerProcessMetrics(registry: Registry): void {
  const user = registry.counter({ name: 'process_cpu_user_seconds_total', help: 'User CPU time spent in seconds' });
  const system = registry.counter({ name: 'process_cpu_system_seconds_total', help: 'System CPU time spent in seconds' });
  const total = registry.counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds' });
  let last = process.cpuUsage();
  registry.beforeRender(() => {
    const now = process.cpuUsage();
    // microseconds since the previous scrape; counters take only the increase
    const du = Math.max(0, now.user - last.user) / 1e6;
    const ds = Math.max(0, now.system - last.system) / 1e6;
    user.inc(du);
    system.inc(ds);
    total.inc(du + ds);
    last = now;
  });
  // CPU time before the registry existed counts too
  const start = process.cpuUsage();
  user.inc(start.user / 1e6);
  system.inc(start.system / 1e6);
  total.inc((start.user + start.system) / 1e6);

  // one memoryUsage() per scrape for all four figures
  let memory = process.memoryUsage();
  registry.beforeRender(() => {
    memory = process.memoryUsage();
  });
  registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes', collect: () => memory.rss });
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds', collect: () => startSeconds });
  registry.gauge({ name: 'nodejs_heap_size_total_bytes', help: 'Process heap size from Node.js in bytes', collect: () => memory.heapTotal });
  registry.gauge({ name: 'nodejs_heap_size_used_bytes', help: 'Process heap size used from Node.js in bytes', collect: () => memory.heapUsed });
  registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes (Buffers, wasm memory)',
    collect: () => memory.external,
  });

  const delay = eventLoopDelay();
  // the histogram is read and reset at each scrape: mean and p99 since the previous one (0 before any sample)
  let mean = 0;
  let p99 = 0;
  registry.beforeRender(() => {
    mean = delay.count > 0 ? delay.mean / 1e9 : 0;
    p99 = delay.count > 0 ? delay.percentile(99) / 1e9 : 0;
    delay.reset();
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_mean_seconds',
    help: 'The mean of the recorded event loop delays since the previous scrape',
    collect: () => mean,
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: 'The 99th percentile of the recorded event loop delays since the previous scrape',
    collect: () => p99,
  });
}
