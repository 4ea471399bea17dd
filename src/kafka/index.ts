/**
 * `eddy/kafka`: the Kafka sink and the partitioned Kafka source (kafkajs,
 * loaded when the first client is made). Configs with a Kafka source or sink
 * use them through `startPipeline`.
 */
export { kafkaSink, type KafkaSinkOptions } from './kafkaSink.js';
export { KafkaSource } from './kafkaSource.js';
export type { KafkaSecurity } from './kafkaSecurity.js';
