import { z } from 'zod';
import { controlToken, flag, httpUrl, logLevel, redisUrl } from './fields';

/** Variables every app reads. Each app adds its own port and settings. */
export const serviceShape = {
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: logLevel,
  REDIS_URL: redisUrl().default('redis://127.0.0.1:6379'),
  CONTROL_TOKEN: controlToken,
};

/**
 * Where the AWS services are. With LOCAL_STACK=true (the default) the endpoints default to the
 * local engines `npm start` runs (dynalite, kinesalite); with LOCAL_STACK=false the SDK's regional
 * endpoints and credential chain are used unless an endpoint is given.
 */
export const awsShape = {
  AWS_REGION: z.string().min(1).default('ap-northeast-1'),
  LOCAL_STACK: flag(true),
  DYNAMODB_ENDPOINT: httpUrl().optional(),
  KINESIS_ENDPOINT: httpUrl().optional(),
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'may contain only letters, digits, _ . and -')
    .default('manga-assist-'),
};

export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
export const LOCAL_KINESIS_ENDPOINT = 'http://127.0.0.1:4568';

export interface AwsEndpoints {
  dynamodb?: string;
  kinesis?: string;
}

export function resolveAwsEndpoints(config: {
  LOCAL_STACK: boolean;
  DYNAMODB_ENDPOINT?: string;
  KINESIS_ENDPOINT?: string;
}): AwsEndpoints {
  return {
    dynamodb: config.DYNAMODB_ENDPOINT ?? (config.LOCAL_STACK ? LOCAL_DYNAMODB_ENDPOINT : undefined),
    kinesis: config.KINESIS_ENDPOINT ?? (config.LOCAL_STACK ? LOCAL_KINESIS_ENDPOINT : undefined),
  };
}

/** The validated AWS variables (`awsShape`). */
export type AwsSettings = z.output<z.ZodObject<typeof awsShape>>;
