/**
 * A validated query: everything the engine needs to run one pipeline,
 * whether it came from the fluent API or from a config file.
 */
import type { Aggregate } from './aggregates.js';
import type { AnalyticsPlan } from './analytics.js';

import type { SequencePattern } from './patterns/sequence.js';

/** A compiled sequence pattern (see patterns/sequence.ts). */
export type SequencePlan = SequencePattern;

/** Output modes, as in Spark: `append` emits a window once when the watermark closes it; `update` emits changed windows after each batch. */
export type OutputMode = 'append' | 'update';

export interface QueryPlan {
  /** Query name (Spark's queryName), used in progress and as the memory table's default name. */
  name: string;
  /** 'windows' emits window results; 'events' emits every event, scored (no windows). Default 'windows'. */
  kind?: 'windows' | 'events';
  /** Field holding event time. */
  timeColumn: string;
  /** Field the aggregates read; undefined when the only aggregate is count(). */
  valueColumn: string | undefined;
  /** Grouping fields besides the window, in order. */
  keyColumns: string[];
  /** Aggregates in output order. */
  aggregates: Aggregate[];
  sizeMs: number;
  slideMs: number;
  /** Watermark delay: watermark = max event time − delay. */
  delayMs: number;
  /** Extra time after the watermark passes a window's end during which it still accepts events. */
  latenessMs: number;
  outputMode: OutputMode;
  /** Most rows per engine batch. */
  batchSize: number;
  /** Emit open windows when a bounded source ends (default true, as Flink's final watermark). */
  flushAtEnd: boolean;
  /** Emit open windows when the query is stopped (default false: a stopped query may resume later). */
  flushOnStop: boolean;
  /** Per-row analytics: on each event (events query) or on each window result (windows query). */
  analytics?: AnalyticsPlan;
  /** Windows query: the aggregate the analytics read (avg by default, as the seed). */
  analyticsOn?: 'count' | 'sum' | 'avg' | 'stddev' | 'min' | 'max';
  /** Sequence patterns, matched over the raw events' type field. */
  sequences?: SequencePlan[];
  /** The event-type field sequences read (default 'type'). */
  typeColumn?: string;
}

/** Default rows per batch: 64 Ki rows fill the core's columns in one boundary crossing. */
export const DEFAULT_BATCH_SIZE = 65_536;
