/**
 * The fields a Kafka source and a Kafka sink share: the brokers and the
 * client properties `security.protocol`, `sasl.mechanism`, `sasl.username`,
 * `sasl.password`, as in any Kafka client's config.
 */
import { PASSWORD_ENV, SASL_MECHANISMS, SECURITY_PROTOCOLS, type KafkaSecurity } from '../kafka/kafkaSecurity.js';
import { ConfigError } from './configError.js';
import { fields, type ConfigValues, type Item } from './fieldTable.js';

/** Environment variables a config may take values from (EDDY_KAFKA_SASL_PASSWORD). */
export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

const BROKER = '[^:\\s,]+:\\d{1,5}';

/** `host:port[,host:port…]` or a list of `host:port`. */
export const BROKERS = {
  kind: 'oneOf',
  expected: 'brokers like "127.0.0.1:9092" (a string, comma-separated, or an array of them)',
  options: [
    { kind: 'string', pattern: new RegExp(`^\\s*${BROKER}(\\s*,\\s*${BROKER})*\\s*$`), expected: 'host:port' },
    { kind: 'array', items: { kind: 'string', pattern: new RegExp(`^${BROKER}$`), expected: 'host:port' } },
  ],
} as const satisfies Item;

/** The brokers as a list (the field's text split at commas). */
export function brokerList(value: string | string[]): string[] {
  return typeof value === 'string' ? value.split(',').map((b) => b.trim()) : value;
}

/** TLS and SASL: the client properties of a Kafka connection. */
export const KAFKA_SECURITY_FIELDS = fields([
  {
    name: 'security.protocol',
    kind: 'enum',
    choices: SECURITY_PROTOCOLS,
    default: 'PLAINTEXT',
    description: "TLS (SSL, SASL_SSL) and SASL authentication (SASL_PLAINTEXT, SASL_SSL); TLS verifies the broker against the system's CAs.",
  },
  { name: 'sasl.mechanism', kind: 'enum', choices: SASL_MECHANISMS, defaultText: '`"PLAIN"`', description: 'SASL mechanism; only with a SASL protocol.' },
  { name: 'sasl.username', kind: 'string', description: 'SASL user; required with a SASL protocol.' },
  {
    name: 'sasl.password',
    kind: 'string',
    defaultText: `\`$${PASSWORD_ENV}\``,
    description: `SASL password; only with a SASL protocol. Leave it out of the file and set ${PASSWORD_ENV} instead.`,
  },
]);

/**
 * The security settings, from fields the table has validated. Not tabular:
 * the sasl.* fields need a SASL protocol, and then the user name is required
 * and the password comes from the file or the environment.
 */
export function kafkaSecurity(v: ConfigValues<typeof KAFKA_SECURITY_FIELDS>, path: string, env: ConfigEnvironment): KafkaSecurity | undefined {
  const protocol = v['security.protocol'];
  if (protocol !== 'SASL_PLAINTEXT' && protocol !== 'SASL_SSL') {
    const stray = (['sasl.mechanism', 'sasl.username', 'sasl.password'] as const).find((k) => v[k] !== undefined);
    if (stray) throw new ConfigError(`${path}.${stray}`, `needs security.protocol SASL_PLAINTEXT or SASL_SSL (it is ${protocol})`);
    return protocol === 'SSL' ? { ssl: true } : undefined;
  }
  const mechanism = v['sasl.mechanism'] ?? 'PLAIN';
  const username = v['sasl.username'];
  if (username === undefined) throw new ConfigError(`${path}.sasl.username`, 'expected a non-empty string, got nothing');
  const password = v['sasl.password'] ?? env[PASSWORD_ENV];
  if (password === undefined) throw new ConfigError(`${path}.sasl.password`, `expected a string (or set ${PASSWORD_ENV})`);
  const sasl = { mechanism: mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password };
  return protocol === 'SASL_SSL' ? { ssl: true, sasl } : { sasl };
}
