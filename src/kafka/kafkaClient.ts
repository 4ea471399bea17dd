/**
 * kafkajs clients as eddy uses them: quiet logs (warnings and errors go to
 * eddy's log line, not kafkajs's JSON), and no partitioner warning.
 *
 * kafkajs is imported when the first client is made, not when this module
 * loads: the library entry and configs without Kafka never load it (~50 ms
 * of startup).
 */
import type { Kafka, LogEntry, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from './kafkaSecurity.js';

/** A kafkajs client for these brokers (TLS / SASL per `security`). */
export async function kafkaClient(brokers: string[], clientId: string, log?: (line: string) => void, security: KafkaSecurity = {}): Promise<Kafka> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const { Kafka, logLevel } = await import('kafkajs');
  return new Kafka({
    clientId,
    brokers,
    ...(security.ssl ? { ssl: true } : {}),
    ...(security.sasl ? { sasl: security.sasl as SASLOptions } : {}),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        if (level > logLevel.WARN) return;
        // The coordinator being briefly unavailable while a group forms is normal; say nothing.
        if (/coordinator is not available|rebalanc/i.test(entry.message + String(entry.error ?? ''))) return;
        log?.(`kafka ${level === logLevel.ERROR ? 'error' : 'warning'}: ${entry.message}${entry.error ? ` (${String(entry.error)})` : ''}`);
      },
    retry: { retries: 8, initialRetryTime: 200 },
  });
}
