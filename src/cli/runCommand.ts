/**
 * `eddy run [--config pipeline.json]`: runs one pipeline until its source
 * ends or a stop request of the process life (src/cli/processLife.ts:
 * Ctrl-C, SIGTERM, a closed stdout). Exit codes: 0 done, 1 the query
 * failed, 2 bad usage or config.
 */
import type { PipelineConfig } from '../config/pipelineConfig.js';
import { loadBuiltinConfig, loadConfigFile } from '../config/loadConfig.js';
import { startPipeline } from '../config/buildPipeline.js';
import { flushOnStopRefusal } from '../config/processingSection.js';
import { loadCore } from '../node/loadCore.js';
import { progressPrinter } from './progressPrinter.js';
import { processLife } from './processLife.js';
import { applyConsoleFlags, type ConsoleFlags } from './consoleOptions.js';

/** Options of `eddy run`. */
export interface RunOptions {
  configPath?: string;
  flushOnStop: boolean;
  /** Progress line interval; 0 turns it off. */
  progressMs: number;
  /** `--wide` / `--format` for the pipeline's console sinks. */
  console?: ConsoleFlags;
  err: { write(chunk: string): unknown };
}

/** Reads and validates a config file, or the embedded default (src/config/builtin/run.json), the same way. */
export function loadConfig(configPath: string | undefined): { config: PipelineConfig; baseDir: string } {
  return configPath === undefined ? loadBuiltinConfig('run') : loadConfigFile(configPath);
}

/** Runs the pipeline; resolves with the process exit code. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const { config, baseDir } = loadConfig(opts.configPath);
  if (opts.flushOnStop) {
    const refusal = flushOnStopRefusal(config.source.type, config.checkpoint !== undefined);
    if (refusal !== undefined) {
      opts.err.write(`eddy: --flush-on-stop cannot be used with ${refusal}\n`);
      return 2;
    }
    config.flushOnStop = true;
  }
  for (const w of config.warnings) opts.err.write(`eddy: warning: ${w}\n`);
  applyConsoleFlags(config, opts.console ?? {}, opts.err);

  const progress = progressPrinter(opts.err, opts.progressMs);

  const query = startPipeline(
    config,
    {
      createCore: () => loadCore(),
      log: (line) => opts.err.write(`eddy: ${line}\n`),
      onProgress: progress.onProgress,
    },
    { baseDir },
  );

  const life = processLife({ err: opts.err, stoppingMessage: `stopping${config.flushOnStop ? ' and flushing open windows' : ''}…` });
  void life.stopRequested.then(() => query.stop());
  try {
    await query.awaitTermination();
    return 0;
  } catch (e) {
    opts.err.write(`eddy: query failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    progress.stop();
    if (query.rejectedSummary().startsWith('0 ') === false) opts.err.write(`eddy: ${query.rejectedSummary()}\n`);
    life.end();
  }
}
