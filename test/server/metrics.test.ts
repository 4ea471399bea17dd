import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counter, PROMETHEUS_CONTENT_TYPE, Registry, formatPrometheusNumber } from '../../src/server/metrics.js';
import { parsePrometheusText, type ParsedFamily } from '../support/prometheusText.js';

function family(text: string, name: string): ParsedFamily {
  const found = parsePrometheusText(text).get(name);
  if (found === undefined) throw new Error(`no family ${name} in:\n${text}`);
  return found;
}

describe('Registry.render', () => {
  it('writes HELP, TYPE and samples in registration order, in text format 0.0.4', () => {
    const registry = new Registry();
    const requests = registry.counter({ name: 'eddy_requests_total', help: 'Requests answered.', labelNames: ['route', 'code'] });
    const open = registry.gauge({ name: 'eddy_connections', help: 'Open connections.' });
    const latency = registry.histogram({ name: 'eddy_request_seconds', help: 'Request time.', buckets: [0.01, 0.1, 1] });
    requests.inc(1, { route: '/ingest', code: '200' });
    requests.inc(2, { route: '/ingest', code: '200' });
    requests.inc(1, { code: '400', route: '/ingest' });
    open.inc();
    open.inc(4);
    open.dec(2);
    latency.observe(0.05);
    latency.observe(0.1);
    latency.observe(3);

    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(registry.render()).toBe(
      [
        '# HELP eddy_requests_total Requests answered.',
        '# TYPE eddy_requests_total counter',
        'eddy_requests_total{route="/ingest",code="200"} 3',
        'eddy_requests_total{route="/ingest",code="400"} 1',
        '# HELP eddy_connections Open connections.',
        '# TYPE eddy_connections gauge',
        'eddy_connections 3',
        '# HELP eddy_request_seconds Request time.',
        '# TYPE eddy_request_seconds histogram',
        'eddy_request_seconds_bucket{le="0.01"} 0',
        'eddy_request_seconds_bucket{le="0.1"} 2',
        'eddy_request_seconds_bucket{le="1"} 2',
        'eddy_request_seconds_bucket{le="+Inf"} 3',
        'eddy_request_seconds_sum 3.15',
        'eddy_request_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('renders label-less metrics at zero before first use, labelled ones without samples', () => {
    const registry = new Registry();
    registry.counter({ name: 'a_total', help: 'A.' });
    registry.counter({ name: 'b_total', help: 'B.', labelNames: ['x'] });
    const text = registry.render();
    expect(text).toContain('a_total 0\n');
    expect(family(text, 'b_total')).toEqual({ type: 'counter', help: 'B.', samples: [] });
    expect(new Registry().render()).toBe('');
  });

  it('round-trips through the parser: names, labels, help and values', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'eddy_rows_total', help: 'Rows ingested, by source.', labelNames: ['source'] });
    const g = registry.gauge({ name: 'eddy:keys', help: 'Keys tracked.', labelNames: ['pipeline', 'stage'] });
    const h = registry.histogram({ name: 'eddy_batch_rows', help: 'Rows per batch.', buckets: [1, 10, 100, 1000], labelNames: ['source'] });
    c.inc(1000, { source: 'http' });
    c.labels({ source: 'ws' }).inc(7);
    g.set(42, { pipeline: 'p', stage: 'window' });
    g.set(-0.5, { pipeline: 'p', stage: 'z' });
    for (const rows of [1, 5, 50, 500, 5000]) h.observe(rows, { source: 'http' });
    h.labels({ source: 'ws' }).observe(10);

    const parsed = parsePrometheusText(registry.render());
    expect([...parsed.keys()]).toEqual(['eddy_rows_total', 'eddy:keys', 'eddy_batch_rows']);
    expect(parsed.get('eddy_rows_total')).toEqual({
      type: 'counter',
      help: 'Rows ingested, by source.',
      samples: [
        { name: 'eddy_rows_total', labels: { source: 'http' }, value: 1000 },
        { name: 'eddy_rows_total', labels: { source: 'ws' }, value: 7 },
      ],
    });
    expect(parsed.get('eddy:keys')?.samples).toEqual([
      { name: 'eddy:keys', labels: { pipeline: 'p', stage: 'window' }, value: 42 },
      { name: 'eddy:keys', labels: { pipeline: 'p', stage: 'z' }, value: -0.5 },
    ]);
    const batch = parsed.get('eddy_batch_rows');
    expect(batch?.type).toBe('histogram');
    expect(batch?.samples.filter((s) => s.labels.source === 'ws' && s.name === 'eddy_batch_rows_bucket').map((s) => s.value)).toEqual([0, 1, 1, 1, 1]);
    expect(batch?.samples.find((s) => s.name === 'eddy_batch_rows_sum' && s.labels.source === 'http')?.value).toBe(5556);
  });

  it('prints NaN, +Inf and -Inf as the format spells them, and reads them back', () => {
    const registry = new Registry();
    const g = registry.gauge({ name: 'odd', help: 'Odd values.', labelNames: ['k'] });
    g.set(NaN, { k: 'nan' });
    g.set(Infinity, { k: 'inf' });
    g.set(-Infinity, { k: 'minf' });
    g.set(1e21, { k: 'big' });
    g.set(5e-324, { k: 'tiny' });
    const text = registry.render();
    expect(text).toContain('odd{k="nan"} NaN\n');
    expect(text).toContain('odd{k="inf"} +Inf\n');
    expect(text).toContain('odd{k="minf"} -Inf\n');
    const values = family(text, 'odd').samples.map((s) => s.value);
    expect(values).toEqual([NaN, Infinity, -Infinity, 1e21, 5e-324]);
    expect([NaN, Infinity, -Infinity, -0, 0.1].map(formatPrometheusNumber)).toEqual(['NaN', '+Inf', '-Inf', '0', '0.1']);
  });

  it('escapes label values (backslash, double quote, newline) and help text', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'esc_total', help: 'Path C:\\tmp\nsecond line "quoted"', labelNames: ['v'] });
    const nasty = 'a\\b"c\nd}e,f=g';
    c.inc(1, { v: nasty });
    const text = registry.render();
    expect(text).toContain('# HELP esc_total Path C:\\\\tmp\\nsecond line "quoted"\n');
    expect(text).toContain('esc_total{v="a\\\\b\\"c\\nd}e,f=g"} 1\n');
    const parsed = family(text, 'esc_total');
    expect(parsed.help).toBe('Path C:\\tmp\nsecond line "quoted"');
    expect(parsed.samples[0]?.labels).toEqual({ v: nasty });
  });

  it('round-trips arbitrary label values and help text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 20 }).filter((h) => !/^[ \t]/.test(h)),
        (values, help) => {
          const registry = new Registry();
          const g = registry.gauge({ name: 'prop', help, labelNames: ['v'] });
          const distinct = [...new Set(values)];
          distinct.forEach((v, i) => {
            g.set(i, { v });
          });
          const parsed = family(registry.render(), 'prop');
          // Exact, trailing blanks included; leading blanks are the separator, as in Prometheus.
          expect(parsed.help).toBe(help);
          expect(parsed.samples.map((s) => s.labels.v)).toEqual(distinct);
          expect(parsed.samples.map((s) => s.value)).toEqual(distinct.map((_, i) => i));
        },
      ),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('histograms', () => {
  it('buckets are cumulative, inclusive of the bound, and +Inf equals _count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ noNaN: true, min: -2e6, max: 2e6 }), { maxLength: 60 }),
        (bounds, observations) => {
          const buckets = [...new Set(bounds.map((b) => (Object.is(b, -0) ? 0 : b)))].sort((a, b) => a - b);
          const registry = new Registry();
          const h = registry.histogram({ name: 'h', help: 'H.', buckets });
          for (const o of observations) h.observe(o);
          const samples = family(registry.render(), 'h').samples;
          const bucketSamples = samples.filter((s) => s.name === 'h_bucket');
          expect(bucketSamples.map((s) => s.labels.le)).toEqual([...buckets.map(formatPrometheusNumber), '+Inf']);
          for (let i = 0; i < bucketSamples.length; i++) {
            const le = i < buckets.length ? buckets[i]! : Infinity;
            expect(bucketSamples[i]?.value).toBe(observations.filter((o) => o <= le).length);
            if (i > 0) expect(bucketSamples[i]!.value).toBeGreaterThanOrEqual(bucketSamples[i - 1]!.value);
          }
          const count = samples.find((s) => s.name === 'h_count')?.value;
          expect(count).toBe(observations.length);
          expect(bucketSamples.at(-1)?.value).toBe(count);
          const sum = samples.find((s) => s.name === 'h_sum')?.value;
          expect(sum).toBe(observations.reduce((a, b) => a + b, 0));
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });

  it('counts a value equal to a bound in that bucket, ±Infinity at the ends', () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'h', help: 'H.', buckets: [1, 2, Infinity] });
    expect(h.buckets).toEqual([1, 2]);
    for (const v of [1, 2, 2.0000001, -Infinity, Infinity]) h.observe(v);
    const values = family(registry.render(), 'h').samples.map((s) => `${s.name}${s.labels.le ?? ''}=${s.value}`);
    expect(values).toEqual(['h_bucket1=2', 'h_bucket2=3', 'h_bucket+Inf=5', 'h_sum=NaN', 'h_count=5']);
    expect(h.get()).toEqual({ count: 5, sum: NaN });
  });

  it('validates buckets and observations', () => {
    const registry = new Registry();
    expect(() => registry.histogram({ name: 'h1', help: '', buckets: [1, 1] })).toThrow(/increase strictly/);
    expect(() => registry.histogram({ name: 'h2', help: '', buckets: [2, 1] })).toThrow(RangeError);
    expect(() => registry.histogram({ name: 'h3', help: '', buckets: [NaN] })).toThrow(/finite/);
    expect(() => registry.histogram({ name: 'h4', help: '', buckets: [-Infinity, 1] })).toThrow(/finite/);
    expect(() => registry.histogram({ name: 'h5', help: '', buckets: [1], labelNames: ['le'] })).toThrow(/"le" is reserved/);
    const ok = registry.histogram({ name: 'h6', help: '', buckets: [] });
    expect(() => ok.observe(NaN)).toThrow(/cannot observe NaN/);
    ok.observe(5);
    expect(family(registry.render(), 'h6').samples.map((s) => s.value)).toEqual([1, 5, 1]);
  });
});

describe('gauges', () => {
  it('reads a collect callback at render time', () => {
    const registry = new Registry();
    let depth = 3;
    const g = registry.gauge({ name: 'queue_depth', help: 'Queued batches.', collect: () => depth });
    expect(family(registry.render(), 'queue_depth').samples[0]?.value).toBe(3);
    depth = 11;
    expect(family(registry.render(), 'queue_depth').samples[0]?.value).toBe(11);
    expect(g.get()).toBe(11);
    expect(() => g.set(1)).toThrow(/collect callback; it cannot be set/);
    expect(() => g.inc()).toThrow(/cannot be set/);
  });

  it('reports a failing or non-numeric collect callback by metric name', () => {
    const failing = new Registry();
    failing.gauge({
      name: 'bad',
      help: '',
      collect: () => {
        throw new Error('socket closed');
      },
    });
    expect(() => failing.render()).toThrow('gauge bad: collect callback failed: socket closed');
    const wrong = new Registry();
    wrong.gauge({ name: 'wrong', help: '', collect: (() => '3') as never });
    expect(() => wrong.render()).toThrow(/returned string, not a number/);
    expect(() => new Registry().gauge({ name: 'g', help: '', labelNames: ['x'], collect: () => 1 })).toThrow(/cannot have labels/);
  });

  it('children update their series without a lookup', () => {
    const registry = new Registry();
    const g = registry.gauge({ name: 'g', help: '', labelNames: ['k'] });
    const child = g.labels({ k: 'a' });
    child.set(10);
    child.inc();
    child.dec(4);
    expect(g.get({ k: 'a' })).toBe(7);
  });
});

describe('validation', () => {
  it('rejects invalid metric and label names', () => {
    const registry = new Registry();
    for (const name of ['', '1abc', 'a-b', 'a b', 'é', 'a.b']) {
      expect(() => registry.counter({ name, help: '' })).toThrow(/invalid metric name/);
    }
    for (const label of ['1x', 'a-b', '__name', 'a:b', '']) {
      expect(() => registry.gauge({ name: 'g', help: '', labelNames: [label] })).toThrow(/invalid label name/);
    }
    expect(() => registry.gauge({ name: 'g', help: '', labelNames: ['a', 'a'] })).toThrow(/given twice/);
    expect(() => registry.counter({ name: 'ok:name_1', help: '', labelNames: ['_x', 'Y1'] })).not.toThrow();
  });

  it('rejects duplicate registration and colliding sample names', () => {
    const registry = new Registry();
    registry.histogram({ name: 'lat', help: '', buckets: [1] });
    expect(() => registry.counter({ name: 'lat', help: '' })).toThrow('metric lat is already registered');
    expect(() => registry.gauge({ name: 'lat_count', help: '' })).toThrow(/sample name lat_count collides with metric lat/);
    registry.gauge({ name: 'x_sum', help: '' });
    expect(() => registry.histogram({ name: 'x', help: '', buckets: [1] })).toThrow(/x_sum collides/);
  });

  it('checks labels on every update: missing, unknown, non-string, given to a label-less metric', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'c_total', help: '', labelNames: ['a', 'b'] });
    expect(() => c.inc(1, { a: 'x' })).toThrow('counter c_total: missing label b');
    expect(() => c.inc(1, { a: 'x', b: 'y', z: 'w' })).toThrow(/unknown label z/);
    expect(() => c.inc(1, { a: 'x', b: 2 as never })).toThrow(/label b must be a string/);
    expect(() => c.inc(1)).toThrow(/needs labels a, b/);
    const plain = registry.counter({ name: 'p_total', help: '' });
    expect(() => plain.inc(1, { a: 'x' })).toThrow(/has no labels/);
    plain.inc(1, {});
    expect(plain.get()).toBe(1);
  });

  it('counters only go up by finite amounts', () => {
    const c = new Registry().counter({ name: 'c_total', help: '' });
    expect(() => c.inc(-1)).toThrow(RangeError);
    expect(() => c.inc(NaN)).toThrow(/counters only go up/);
    expect(() => c.inc(Infinity)).toThrow(RangeError);
    c.inc(0);
    c.inc(2.5);
    expect(c.get()).toBe(2.5);
    expect(new Counter({ name: 'standalone', help: '' }).render()).toBe('# HELP standalone \n# TYPE standalone counter\nstandalone 0\n');
  });
});

describe('parsePrometheusText', () => {
  const valid = [
    '# A plain comment is ignored',
    '# HELP http_requests_total The total number of HTTP requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="post",code="200"} 1027 1395066363000',
    'http_requests_total{method="post",code="400",} 3 1395066363000',
    '',
    'metric_without_timestamp_and_labels 12.47',
    '  something_weird{problem="division by zero"} +Inf -3982045',
    '# TYPE rpc_duration_seconds summary',
    'rpc_duration_seconds{quantile="0.5"} 4773',
    'rpc_duration_seconds_sum 1.7560473e+07',
    'rpc_duration_seconds_count 2693',
    '',
  ].join('\n');

  it('reads the reference example, with timestamps, trailing commas, comments and summaries', () => {
    const parsed = parsePrometheusText(valid);
    expect([...parsed.keys()]).toEqual(['http_requests_total', 'metric_without_timestamp_and_labels', 'something_weird', 'rpc_duration_seconds']);
    expect(parsed.get('http_requests_total')?.samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '400' },
      value: 3,
    });
    expect(parsed.get('something_weird')?.samples[0]?.value).toBe(Infinity);
    expect(parsed.get('rpc_duration_seconds')?.samples.map((s) => s.value)).toEqual([4773, 1.7560473e7, 2693]);
    expect(parsePrometheusText('')).toEqual(new Map());
  });

  it.each([
    ['no final line feed', 'a 1', /last line must end with a line feed/],
    ['bad metric name', '1a 1\n', /line 1: expected a metric name/],
    ['missing value', 'a\n', /expected a space and a value/],
    ['bad value', 'a 1x\n', /invalid value "1x"/],
    ['hex value', 'a 0x10\n', /invalid value/],
    ['bad timestamp', 'a 1 2.5\n', /invalid timestamp "2.5"/],
    ['extra tokens', 'a 1 2 3\n', /unexpected "3" after the timestamp/],
    ['unterminated label value', 'a{b="c} 1\n', /unterminated value for label b/],
    ['unquoted label value', 'a{b=c} 1\n', /expected a quoted value for label b/],
    ['missing =', 'a{b} 1\n', /expected = after label b/],
    ['bad label name', 'a{1b="c"} 1\n', /expected a label name/],
    ['missing comma', 'a{b="c" d="e"} 1\n', /expected , or } after label b/],
    ['duplicate label', 'a{b="c",b="d"} 1\n', /label b given twice/],
    ['bad escape in label', 'a{b="\\t"} 1\n', /invalid escape sequence \\t/],
    ['bad escape in help', '# HELP a x\\"y\n', /invalid escape sequence \\"/],
    ['unknown type', '# TYPE a thing\n', /must be one of counter, gauge, histogram, summary, untyped, got "thing"/],
    ['type with extra tokens', '# TYPE a counter extra\n', /must be one of/],
    ['bad name in TYPE', '# TYPE a-b counter\n', /invalid metric name "a-b"/],
    ['HELP without a name', '# HELP\n', /# HELP needs a metric name/],
    ['second HELP', '# HELP a x\n# HELP a y\n', /line 2: second # HELP for a/],
    ['second TYPE', '# TYPE a gauge\n# TYPE a gauge\n', /second # TYPE for a/],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n', /# TYPE for a after its samples/],
    ['family in two groups', 'a 1\nb 1\na{x="y"} 2\n', /line 3: metric a appears in two separate groups/],
    ['repeated series', 'a{x="1",y="2"} 1\na{y="2",x="1"} 2\n', /line 2: repeated series a\{y="2",x="1"\}/],
    ['histogram bucket without le', '# TYPE h histogram\nh_bucket 1\n', /bucket h_bucket has no le label/],
    ['histogram bucket with bad le', '# TYPE h histogram\nh_bucket{le="x"} 1\n', /invalid le "x"/],
    ['bare histogram sample', '# TYPE h histogram\nh 1\n', /without _bucket, _sum or _count/],
  ])('throws on %s', (_, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(SyntaxError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });

  it('parses every registry rendering back (random metrics, property)', () => {
    const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,8}$/);
    fc.assert(
      fc.property(fc.uniqueArray(metricName, { minLength: 1, maxLength: 5 }), fc.array(fc.double(), { minLength: 1, maxLength: 5 }), (names, values) => {
        const registry = new Registry();
        const gauges = names.map((name) => registry.gauge({ name, help: name, labelNames: ['i'] }));
        gauges.forEach((g) => {
          values.forEach((v, i) => {
            g.set(v, { i: String(i) });
          });
        });
        const parsed = parsePrometheusText(registry.render());
        expect([...parsed.keys()]).toEqual(gauges.map((g) => g.name));
        for (const g of gauges) {
          expect(parsed.get(g.name)?.samples.map((s) => s.value)).toEqual(values.map((v) => (Object.is(v, -0) ? 0 : v)));
        }
      }),
      { seed: 3, numRuns: 200 },
    );
  });
});
