/**
 * Prometheus metrics in the text exposition format 0.0.4: a small registry of
 * counters, gauges and histograms, and the renderer. The strict parser the
 * tests and benches read it back with is test/support/prometheusText.ts.
 *
 * Written here instead of using prom-client: eddy exposes about a dozen
 * metrics and wants none of prom-client's default process metrics, and
 * staying dependency-free keeps the install small. What users of a Node
 * service get from prom-client is its default process_* and nodejs_* metrics;
 * eddy writes the ones Node dashboards chart (processMetrics.ts) with the
 * same names, so the choice costs users nothing.
 *
 * Text format, one family:
 *
 *   # HELP eddy_request_seconds Time to answer a request.
 *   # TYPE eddy_request_seconds histogram
 *   eddy_request_seconds_bucket{route="/ingest",le="0.01"} 3
 *   eddy_request_seconds_bucket{route="/ingest",le="+Inf"} 4
 *   eddy_request_seconds_sum{route="/ingest"} 0.031
 *   eddy_request_seconds_count{route="/ingest"} 4
 *
 * Hot paths: `inc(1, { route })` builds a key per call; code that counts per
 * event should take `metric.labels({ route })` once and call the returned
 * child, which updates its series directly. Label-less metrics need neither.
 *
 * Browser-safe (no Node imports), though only the server uses it.
 */

/** HTTP `Content-Type` of the rendered text. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values by label name; must name exactly the metric's label names. */
export type Labels = Readonly<Record<string, string>>;

/** Options shared by every metric. */
export interface MetricOptions {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  name: string;
  /** One-line description for `# HELP`. */
  help: string;
  /** Label names, `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved by Prometheus). */
  labelNames?: readonly string[];
}

/** Options of a gauge. */
export interface GaugeOptions extends MetricOptions {
  /**
   * Reads the value at render time instead of it being `set` (queue depths,
   * key counts). Only for gauges without labels; `set`/`inc`/`dec` then throw.
   */
  collect?: () => number;
}

/** Options of a histogram. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, strictly increasing and finite; `+Inf` is always added (a trailing one given here is dropped). */
  buckets: readonly number[];
}

/** A counter's series bound to fixed label values. */
export interface CounterChild {
  /** Adds `value` (default 1; finite, ≥ 0). */
  inc(value?: number): void;
}

/** A gauge's series bound to fixed label values. */
export interface GaugeChild {
  /** Sets the value; any number, NaN and ±Infinity included. */
  set(value: number): void;
  /** Adds `value` (default 1). */
  inc(value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
}

/** A histogram's series bound to fixed label values. */
export interface HistogramChild {
  /** Records one observation (not NaN). */
  observe(value: number): void;
}

/** Metric names as the text format allows them. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A sample value as the format spells it: `NaN`, `+Inf`, `-Inf`, otherwise
 * JavaScript's shortest round-trip text (which Go's ParseFloat reads back
 * exactly, exponents like `1e+21` included).
 */
export function formatPrometheusNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Escapes a label value: backslash, double quote and line feed. */
function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Escapes `# HELP` text: backslash and line feed (quotes stay as they are). */
function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** `{a="x",b="y"}`, or '' without labels; `extra` is appended preformatted (histograms' `le`). */
function formatLabels(names: readonly string[], values: readonly string[], extra = ''): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    out += `${out === '' ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  if (extra !== '') out += `${out === '' ? '' : ','}${extra}`;
  return out === '' ? '' : `{${out}}`;
}

/** The state of one labelled series. */
interface Series {
  readonly labelValues: readonly string[];
}

/** What every metric kind shares: identity, labels, and its series by label values. */
abstract class Metric<S extends Series> {
  /** Metric (family) name. */
  readonly name: string;
  /** `# HELP` text. */
  readonly help: string;
  /** Label names, in the order samples print them. */
  readonly labelNames: readonly string[];
  /** The `# TYPE` of the family. */
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  private readonly series = new Map<string, S>();

  protected constructor(options: MetricOptions, kind: string, reservedLabels: readonly string[] = []) {
    if (options === null || typeof options !== 'object') throw new TypeError(`${kind}: expected an options object`);
    const { name, help, labelNames = [] } = options;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new TypeError(`${kind}: invalid metric name ${JSON.stringify(name)} (expected [a-zA-Z_:][a-zA-Z0-9_:]*)`);
    }
    if (typeof help !== 'string') throw new TypeError(`${kind} ${name}: help must be a string`);
    if (!Array.isArray(labelNames)) throw new TypeError(`${kind} ${name}: labelNames must be an array of strings`);
    const seen = new Set<string>();
    for (const label of labelNames as unknown[]) {
      if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) {
        throw new TypeError(`${kind} ${name}: invalid label name ${JSON.stringify(label)} (expected [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
      }
      if (reservedLabels.includes(label)) throw new TypeError(`${kind} ${name}: label name "${label}" is reserved`);
      if (seen.has(label)) throw new TypeError(`${kind} ${name}: label name "${label}" given twice`);
      seen.add(label);
    }
    this.name = name;
    this.help = help;
    this.labelNames = [...labelNames];
  }

  /** Creates the label-less series up front, so it renders (as zero) before first use. */
  protected initUnlabelled(): void {
    if (this.labelNames.length === 0) this.series.set('', this.newSeries([]));
  }

  /** A fresh series at zero. */
  protected abstract newSeries(labelValues: readonly string[]): S;

  /** The series for `labels`, created on first use; checks they match the label names exactly. */
  protected seriesOf(labels: Labels | undefined): S {
    const names = this.labelNames;
    if (names.length === 0) {
      if (labels !== undefined && hasAnyKey(labels)) {
        throw new TypeError(`${this.type} ${this.name}: has no labels, got ${JSON.stringify(labels)}`);
      }
      return this.series.get('')!;
    }
    if (labels === null || typeof labels !== 'object') {
      throw new TypeError(`${this.type} ${this.name}: needs labels ${names.join(', ')}`);
    }
    let given = 0;
    for (const key in labels) if (Object.hasOwn(labels, key)) given++;
    // Single-label metrics (the common case) key by the value itself.
    let key = names.length === 1 ? labelValue(this, labels, names[0]!) : '';
    if (names.length > 1) {
      const values: string[] = [];
      for (const name of names) values.push(labelValue(this, labels, name));
      key = JSON.stringify(values);
    }
    if (given !== names.length) {
      const extra = Object.keys(labels).filter((k) => !names.includes(k));
      throw new TypeError(`${this.type} ${this.name}: unknown label ${extra.join(', ')} (labels are ${names.join(', ')})`);
    }
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.newSeries(names.map((name) => labels[name]!));
      this.series.set(key, series);
    }
    return series;
  }

  /** Every series in creation order. */
  protected allSeries(): IterableIterator<S> {
    return this.series.values();
  }

  /** This family's `# HELP`, `# TYPE` and sample lines, each ending in a line feed. */
  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const series of this.allSeries()) out += this.renderSeries(series);
    return out;
  }

  /** The sample lines of one series. */
  protected abstract renderSeries(series: S): string;

  /** Names of the samples this family writes (histograms write several), for collision checks. */
  sampleNames(): string[] {
    return [this.name];
  }
}

function hasAnyKey(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

function labelValue(metric: Metric<Series>, labels: Labels, name: string): string {
  // Own properties only: a label called `constructor` must not read Object.prototype's.
  const value = Object.hasOwn(labels, name) ? labels[name] : undefined;
  if (typeof value !== 'string') {
    throw new TypeError(
      value === undefined
        ? `${metric.type} ${metric.name}: missing label ${name}`
        : `${metric.type} ${metric.name}: label ${name} must be a string, got ${typeof value}`,
    );
  }
  return value;
}

/** A single number per series. */
interface ValueSeries extends Series {
  value: number;
}

/** A value that only goes up (requests served, rows ingested). */
export class Counter extends Metric<ValueSeries> {
  /** Always `counter`. */
  readonly type = 'counter';

  /** Use `Registry.counter`, which also registers the metric. */
  constructor(options: MetricOptions) {
    super(options, 'counter');
    this.initUnlabelled();
  }

  /** Adds `value` (default 1; finite, ≥ 0) to the series for `labels`. */
  inc(value = 1, labels?: Labels): void {
    this.add(this.seriesOf(labels), value);
  }

  /** The series for `labels`, to update without a lookup per call. */
  labels(labels: Labels): CounterChild {
    const series = this.seriesOf(labels);
    return { inc: (value = 1) => this.add(series, value) };
  }

  /** The current value of the series for `labels` (for tests and status pages). */
  get(labels?: Labels): number {
    return this.seriesOf(labels).value;
  }

  private add(series: ValueSeries, value: number): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      throw new RangeError(`counter ${this.name}: inc(${String(value)}): counters only go up, by finite amounts`);
    }
    series.value += value;
  }

  protected newSeries(labelValues: readonly string[]): ValueSeries {
    return { labelValues, value: 0 };
  }

  protected renderSeries(series: ValueSeries): string {
    return `${this.name}${formatLabels(this.labelNames, series.labelValues)} ${formatPrometheusNumber(series.value)}\n`;
  }
}

/** A value that goes up and down (connections open, keys tracked). */
export class Gauge extends Metric<ValueSeries> {
  /** Always `gauge`. */
  readonly type = 'gauge';
  private readonly collect: (() => number) | undefined;

  /** Use `Registry.gauge`, which also registers the metric. */
  constructor(options: GaugeOptions) {
    super(options, 'gauge');
    const { collect } = options;
    if (collect !== undefined) {
      if (typeof collect !== 'function') throw new TypeError(`gauge ${this.name}: collect must be a function`);
      if (this.labelNames.length > 0) {
        throw new TypeError(`gauge ${this.name}: a collect callback gives one value, so the gauge cannot have labels`);
      }
    }
    this.collect = collect;
    this.initUnlabelled();
  }

  /** Sets the series for `labels` to `value` (any number, NaN and ±Infinity included). */
  set(value: number, labels?: Labels): void {
    this.settable(this.seriesOf(labels)).value = checkNumber(this, value);
  }

  /** Adds `value` (default 1) to the series for `labels`. */
  inc(value = 1, labels?: Labels): void {
    this.settable(this.seriesOf(labels)).value += checkNumber(this, value);
  }

  /** Subtracts `value` (default 1) from the series for `labels`. */
  dec(value = 1, labels?: Labels): void {
    this.settable(this.seriesOf(labels)).value -= checkNumber(this, value);
  }

  /** The series for `labels`, to update without a lookup per call. */
  labels(labels: Labels): GaugeChild {
    const series = this.settable(this.seriesOf(labels));
    return {
      set: (value) => void (series.value = checkNumber(this, value)),
      inc: (value = 1) => void (series.value += checkNumber(this, value)),
      dec: (value = 1) => void (series.value -= checkNumber(this, value)),
    };
  }

  /** The current value of the series for `labels`, reading the collect callback if there is one. */
  get(labels?: Labels): number {
    const series = this.seriesOf(labels);
    return this.collect === undefined ? series.value : this.collected();
  }

  private settable(series: ValueSeries): ValueSeries {
    if (this.collect !== undefined) {
      throw new Error(`gauge ${this.name} reads its value from a collect callback; it cannot be set`);
    }
    return series;
  }

  private collected(): number {
    let value: unknown;
    try {
      value = this.collect!();
    } catch (cause) {
      throw new Error(`gauge ${this.name}: collect callback failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      });
    }
    if (typeof value !== 'number') throw new TypeError(`gauge ${this.name}: collect callback returned ${typeof value}, not a number`);
    return value;
  }

  protected newSeries(labelValues: readonly string[]): ValueSeries {
    return { labelValues, value: 0 };
  }

  protected renderSeries(series: ValueSeries): string {
    const value = this.collect === undefined ? series.value : this.collected();
    return `${this.name}${formatLabels(this.labelNames, series.labelValues)} ${formatPrometheusNumber(value)}\n`;
  }
}

function checkNumber(metric: Metric<Series>, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${metric.type} ${metric.name}: expected a number, got ${typeof value}`);
  return value;
}

/** Per-bucket counts (not cumulative; the last slot is the +Inf overflow), sum and count. */
interface HistogramSeries extends Series {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets (latencies, batch sizes). */
export class Histogram extends Metric<HistogramSeries> {
  /** Always `histogram`. */
  readonly type = 'histogram';
  /** Finite upper bounds, strictly increasing; `+Inf` is implicit. */
  readonly buckets: readonly number[];
  /** `le="…"` label text per bucket, +Inf last, formatted once. */
  private readonly bucketLabels: readonly string[];

  /** Use `Registry.histogram`, which also registers the metric. */
  constructor(options: HistogramOptions) {
    super(options, 'histogram', ['le']);
    const given: unknown = options.buckets;
    if (!Array.isArray(given)) throw new TypeError(`histogram ${this.name}: buckets must be an array of numbers`);
    const buckets = given.at(-1) === Infinity ? given.slice(0, -1) : given.slice();
    for (let i = 0; i < buckets.length; i++) {
      const bound: unknown = buckets[i];
      if (typeof bound !== 'number' || !Number.isFinite(bound)) {
        throw new RangeError(`histogram ${this.name}: bucket ${i} is ${String(bound)}; bounds must be finite numbers`);
      }
      if (i > 0 && !(bound > (buckets[i - 1] as number))) {
        throw new RangeError(`histogram ${this.name}: buckets must increase strictly (${String(buckets[i - 1])} then ${bound})`);
      }
    }
    this.buckets = buckets as number[];
    this.bucketLabels = [...this.buckets.map(formatPrometheusNumber), '+Inf'].map((le) => `le="${le}"`);
    this.initUnlabelled();
  }

  /** Records `value` (any number but NaN) in the series for `labels`. */
  observe(value: number, labels?: Labels): void {
    this.record(this.seriesOf(labels), value);
  }

  /** The series for `labels`, to update without a lookup per call. */
  labels(labels: Labels): HistogramChild {
    const series = this.seriesOf(labels);
    return { observe: (value) => this.record(series, value) };
  }

  /** Count and sum of the series for `labels` (for tests and status pages). */
  get(labels?: Labels): { count: number; sum: number } {
    const { count, sum } = this.seriesOf(labels);
    return { count, sum };
  }

  private record(series: HistogramSeries, value: number): void {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new RangeError(`histogram ${this.name}: cannot observe ${String(value)}`);
    }
    // Binary search for the first bound ≥ value (buckets are `le`, inclusive).
    const bounds = this.buckets;
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    series.counts[lo]! += 1;
    series.sum += value;
    series.count += 1;
  }

  protected newSeries(labelValues: readonly string[]): HistogramSeries {
    return { labelValues, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  protected renderSeries(series: HistogramSeries): string {
    const names = this.labelNames;
    const values = series.labelValues;
    let out = '';
    let cumulative = 0;
    for (let i = 0; i < series.counts.length; i++) {
      cumulative += series.counts[i]!;
      out += `${this.name}_bucket${formatLabels(names, values, this.bucketLabels[i])} ${formatPrometheusNumber(cumulative)}\n`;
    }
    const labels = formatLabels(names, values);
    out += `${this.name}_sum${labels} ${formatPrometheusNumber(series.sum)}\n`;
    out += `${this.name}_count${labels} ${formatPrometheusNumber(series.count)}\n`;
    return out;
  }

  override sampleNames(): string[] {
    return [this.name, `${this.name}_bucket`, `${this.name}_sum`, `${this.name}_count`];
  }
}

/** Any metric a registry holds. */
export type AnyMetric = Counter | Gauge | Histogram;

/** The metrics one `/metrics` endpoint exposes, rendered in registration order. */
export class Registry {
  private readonly metrics: AnyMetric[] = [];
  /** Family and sample names taken, so two metrics never write the same sample name. */
  private readonly taken = new Map<string, string>();

  /** Creates and registers a counter. */
  counter(options: MetricOptions): Counter {
    return this.add(new Counter(options));
  }

  /** Creates and registers a gauge. */
  gauge(options: GaugeOptions): Gauge {
    return this.add(new Gauge(options));
  }

  /** Creates and registers a histogram. */
  histogram(options: HistogramOptions): Histogram {
    return this.add(new Histogram(options));
  }

  /** The registered metric called `name`, if any. */
  get(name: string): AnyMetric | undefined {
    return this.metrics.find((metric) => metric.name === name);
  }

  private readonly refreshers: (() => void)[] = [];

  /** Calls `refresh` at the start of every render, to bring metrics fed from outside (process CPU time) up to date. */
  beforeRender(refresh: () => void): void {
    this.refreshers.push(refresh);
  }

  /** All metrics in text format 0.0.4 (serve with `PROMETHEUS_CONTENT_TYPE`); '' when none are registered. */
  render(): string {
    for (const refresh of this.refreshers) refresh();
    let out = '';
    for (const metric of this.metrics) out += metric.render();
    return out;
  }

  private add<M extends AnyMetric>(metric: M): M {
    const names = metric.sampleNames();
    for (const name of names) {
      const owner = this.taken.get(name);
      if (owner !== undefined) {
        throw new Error(
          owner === metric.name ? `metric ${name} is already registered` : `metric ${metric.name}: sample name ${name} collides with metric ${owner}`,
        );
      }
    }
    for (const name of names) this.taken.set(name, metric.name);
    this.metrics.push(metric);
    return metric;
  }
}
