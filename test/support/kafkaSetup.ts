/**
 * vitest global setup: makes sure a Kafka broker listens on 127.0.0.1:9092
 * for the Kafka tests (scripts/kafka.sh). A broker this setup started is
 * stopped when the run ends; one that was already running is left alone.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));

function running(): boolean {
  try {
    execFileSync(SCRIPT, ['status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default function setup(): (() => void) | undefined {
  if (process.env.EDDY_SKIP_KAFKA === '1') return undefined;
  if (running()) return undefined;
  execFileSync(SCRIPT, ['start'], { stdio: 'inherit' });
  return () => {
    execFileSync(SCRIPT, ['stop'], { stdio: 'inherit' });
  };
}
