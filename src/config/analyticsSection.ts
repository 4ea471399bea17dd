/**
 * The analytics of `processing`, as the seed's AnalyticsPipeline: windows →
 * anomalies on avg_value → threshold patterns. `anomaly_threshold` alone
 * turns on the seed's 11-row z-score with that threshold; `anomalies` gives
 * every option; `forecast` adds Holt; `patterns.threshold` and
 * `patterns.sequence` are the seed's pattern configs. src/engine/analytics.ts
 * owns the defaults.
 */
import type { AggregateFunction } from '../engine/aggregates.js';
import {
  emptyAnalytics,
  withAnomalies,
  withForecast,
  withThresholds,
  type AnalyticsPlan,
  type AnomalyOptions,
  type ForecastOptions,
} from '../engine/analytics.js';
import { compileSequence, PatternSyntaxError } from '../engine/patterns/sequence.js';
import type { SequencePlan } from '../engine/plan.js';
import { ConfigError } from './configError.js';
import { camelOf, fields, type ConfigValues } from './fieldTable.js';

const ANOMALY_FIELDS = fields([
  {
    name: 'rows',
    kind: 'integer',
    min: 2,
    max: 1 << 20,
    defaultText: "`11` (the seed's rowsBetween(-10, 0))",
    description: 'Rows of the rolling z-score window, the current one included.',
  },
  {
    name: 'time',
    kind: 'duration',
    defaultText: 'none: by rows',
    description: 'A window of this much event time instead of a row count (at most `max_rows` rows).',
  },
  { name: 'max_rows', kind: 'integer', min: 2, max: 1 << 20, defaultText: '`10000`', description: 'Row cap of a `time` window.' },
  {
    name: 'threshold',
    kind: 'number',
    min: 0,
    defaultText: "`anomaly_threshold`, else `2` (the seed's)",
    description: '|z-score| above this is an anomaly (`is_anomaly`).',
  },
  { name: 'score', kind: 'boolean', defaultText: '`true`', description: "Also compute eddy's anomaly score (`anomaly_score`, from 0 to 1)." },
  {
    name: 'on',
    kind: 'enum',
    choices: ['count', 'sum', 'avg', 'stddev', 'min', 'max'],
    default: 'avg',
    description: 'The aggregate whose series is scored (avg: avg_value, as the seed).',
  },
]);

const FORECAST_FIELDS = fields([
  { name: 'alpha', kind: 'number', above: 0, max: 1, defaultText: "`0.3` (the seed's)", description: 'Level smoothing.' },
  { name: 'beta', kind: 'number', min: 0, max: 1, defaultText: '`alpha` (as the seed)', description: 'Trend smoothing.' },
  { name: 'gamma', kind: 'number', min: 0, max: 1, defaultText: '`0.1`', description: 'Seasonal smoothing (Holt-Winters, with `season`).' },
  { name: 'horizon', kind: 'integer', min: 1, max: 1_000_000, defaultText: '`10`', description: 'Slides ahead of `forecast_h`.' },
  {
    name: 'season',
    kind: 'oneOf',
    options: [{ kind: 'integer', min: 2, max: 1 << 20 }, { kind: 'duration' }],
    defaultText: 'none: Holt without season',
    description: 'Season (Holt-Winters): a number of slides (288: a day of 5-minute slides), or a duration (`"1 day"`).',
  },
  { name: 'season_slots', kind: 'integer', min: 2, max: 1 << 20, defaultText: 'the season / the slide', description: 'Buckets of a duration season.' },
]);

const PATTERN_FIELDS = fields([
  {
    name: 'threshold',
    kind: 'object',
    keyName: 'name',
    values: {
      kind: 'section',
      fields: fields([
        { name: 'upper', kind: 'number', description: 'The pattern `<name>_exceeded` matches above this.' },
        { name: 'lower', kind: 'number', description: 'The pattern `<name>_exceeded` matches below this.' },
      ]),
    },
    description: 'Named bounds on the scored aggregate, as the seed: `{"critical": {"upper": 100}, "warning": {"upper": 80, "lower": 20}}`.',
  },
  {
    name: 'sequence',
    kind: 'array',
    items: { kind: 'string' },
    description: 'Sequence patterns over the events\' type column (`type_column`): `"A -> B -> C within 5m"`.',
  },
]);

export const ANALYTICS_FIELDS = fields([
  { name: 'anomaly_threshold', kind: 'number', min: 0, defaultText: 'off', description: "Turns on the seed's rolling z-score (11 rows) with this threshold." },
  { name: 'anomalies', kind: 'section', fields: ANOMALY_FIELDS, defaultText: 'off', description: 'Rolling z-score and anomaly score on each window result.' },
  {
    name: 'forecast',
    kind: 'section',
    fields: FORECAST_FIELDS,
    defaultText: 'off',
    description: 'Holt / Holt-Winters forecasts of the scored aggregate (`forecast`, `forecast_h`).',
  },
  {
    name: 'patterns',
    kind: 'section',
    fields: PATTERN_FIELDS,
    defaultText: 'off',
    description: 'Threshold patterns on window results; sequence patterns on events.',
  },
]);

/** The analytics a config asks for: the plan, the aggregate it scores, and the sequence patterns. */
export function analyticsOf(
  p: ConfigValues<typeof ANALYTICS_FIELDS>,
  slideMs: number,
): { plan: AnalyticsPlan; on: AggregateFunction; sequences: SequencePlan[] } {
  let plan = emptyAnalytics();
  // the engine's checks between options (e.g. a time window > 0) name the section
  const wrap = <T>(path: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new ConfigError(path, (e as Error).message.replace(/^[^:]*: /, ''));
    }
  };
  if (p.anomaly_threshold !== undefined || p.anomalies !== undefined) {
    // anomalies.threshold wins over anomaly_threshold; withAnomalies does not read `on` (returned below)
    const anomalies: AnomalyOptions = {
      ...(p.anomaly_threshold !== undefined ? { threshold: p.anomaly_threshold } : {}),
      ...camelOf(ANOMALY_FIELDS, p.anomalies ?? {}),
    };
    plan = wrap('processing.anomalies', () => withAnomalies(plan, anomalies));
  }
  if (p.forecast !== undefined) {
    const options: ForecastOptions = camelOf(FORECAST_FIELDS, p.forecast);
    plan = wrap('processing.forecast', () => withForecast(plan, options, slideMs));
  }
  if (p.patterns?.threshold !== undefined) {
    const bounds = p.patterns.threshold;
    plan = wrap('processing.patterns.threshold', () => withThresholds(plan, bounds));
  }
  const sequences = (p.patterns?.sequence ?? []).map((text, i) => {
    try {
      return compileSequence(text);
    } catch (e) {
      if (e instanceof PatternSyntaxError) throw new ConfigError(`processing.patterns.sequence[${i}]`, e.message);
      throw e;
    }
  });
  return { plan, on: p.anomalies?.on ?? 'avg', sequences };
}
