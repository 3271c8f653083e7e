export { ConfigError, loadConfig } from './load-config';
export type { ConfigIssue } from './load-config';
export { loadConfigOrExit } from './exit-on-error';
export { controlToken, flag, httpUrl, logLevel, nonNegativeInt, port, positiveInt, redisUrl } from './fields';
export {
  LOCAL_DYNAMODB_ENDPOINT,
  LOCAL_KINESIS_ENDPOINT,
  awsShape,
  resolveAwsEndpoints,
  serviceShape,
} from './service-fields';
export type { AwsEndpoints } from './service-fields';
export { checkGuardrailSettings, checkSearchSettings, guardrailShape, modelShape, retrievalShape, searchShape } from './chat-fields';
export { LOCAL_CREDENTIALS, isLocalStandIn } from './local-credentials';
export type { GuardrailSettings, ModelSettings, SearchSettings } from './chat-fields';
export type { AwsSettings } from './service-fields';
export { LOCAL_EXPORT_BUCKET, LOCAL_S3_ENDPOINT, exportShape, resolveS3Endpoint } from './export-fields';
