/**
 * Aggregate columns in Spark's vocabulary: `avg('value')`, `stddev('value')`,
 * `min`, `max`, `sum`, `count()`, each with `.alias(name)`. The core computes
 * all of them for every window (one Welford pass gives them all); the query
 * only chooses which appear in the output and under what names.
 */

/** The aggregate functions eddy computes. */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'stddev' | 'min' | 'max';

/** An aggregate column of a query. */
export interface Aggregate {
  readonly fn: AggregateFunction;
  /** The value column it reads; undefined for count(). */
  readonly column: string | undefined;
  /** Output name: the alias, else the seed's names (`avg_value`, `stddev_value`, …, `count`). */
  readonly name: string;
  /** Renames the output column, as Spark's `.alias`. */
  alias(name: string): Aggregate;
}

function make(fn: AggregateFunction, column: string | undefined, name?: string): Aggregate {
  if (column !== undefined && (typeof column !== 'string' || column === '')) {
    throw new TypeError(`${fn}(): expected a column name, got ${JSON.stringify(column)}`);
  }
  const defaultName = fn === 'count' ? 'count' : `${fn}_${column}`;
  return {
    fn,
    column,
    name: name ?? defaultName,
    alias(alias: string) {
      if (typeof alias !== 'string' || alias === '') throw new TypeError(`alias(): expected a non-empty name`);
      return make(fn, column, alias);
    },
  };
}

/** Mean of a column (output `avg_<column>`). */
export const avg = (column: string): Aggregate => make('avg', column);
/** Mean of a column, Spark's other name for avg. */
export const mean = (column: string): Aggregate => make('avg', column);
/** Sample standard deviation (n − 1), null for a window of one event. */
export const stddev = (column: string): Aggregate => make('stddev', column);
/** Smallest value. */
export const min = (column: string): Aggregate => make('min', column);
/** Largest value. */
export const max = (column: string): Aggregate => make('max', column);
/** Sum of a column. */
export const sum = (column: string): Aggregate => make('sum', column);
/** Number of events (`count("*")`); a column argument is accepted and means the same (values are never null). */
export const count = (column?: string): Aggregate => make('count', column === '*' ? undefined : column);

/** The seed's aggregate list: avg, stddev, min, max, count of `column`. */
export function seedAggregates(column: string): Aggregate[] {
  return [avg(column), stddev(column), min(column), max(column), count()];
}

/** Looks an aggregate function up by name (config files), accepting Spark's synonyms. */
export function aggregateByName(name: string, column: string): Aggregate | undefined {
  switch (name) {
    case 'avg':
    case 'mean':
      return avg(column);
    case 'stddev':
    case 'stddev_samp':
      return stddev(column);
    case 'min':
      return min(column);
    case 'max':
      return max(column);
    case 'sum':
      return sum(column);
    case 'count':
      return count();
    default:
      return undefined;
  }
}
