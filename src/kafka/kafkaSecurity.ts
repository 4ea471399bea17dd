/**
 * How eddy connects to a Kafka cluster other than a local PLAINTEXT broker:
 * the Kafka client properties `security.protocol`, `sasl.mechanism`,
 * `sasl.username` and `sasl.password`, as in any Kafka client's config.
 * Lives apart from the config parser so the kafkajs client can share the type.
 */

/** TLS and SASL settings of a Kafka connection (PLAINTEXT when empty). */
export interface KafkaSecurity {
  /** Connect over TLS (security.protocol SSL or SASL_SSL), verifying the broker against the system's CAs. */
  ssl?: boolean;
  /** SASL authentication (security.protocol SASL_PLAINTEXT or SASL_SSL). */
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** The protocols of Kafka's `security.protocol`. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

/** The SASL mechanisms kafkajs implements without plugins, by their Kafka names. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** The environment variable read when `sasl.password` is not in the config (keeps secrets out of files). */
export const PASSWORD_ENV = 'EDDY_KAFKA_SASL_PASSWORD';
