import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a zod object schema. Throws a `ConfigError` listing every
 * bad or missing variable by name; `loadConfig` turns that into a readable exit.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.map(String).join('.') || '(environment)';
      const received = issue.path.length > 0 ? env[String(issue.path[0])] : undefined;
      return `${variable}: ${issue.message}${received === undefined ? ' (not set)' : ''}`;
    }),
  );
}

/** For `main.ts`: parse or print the issues and exit non-zero. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** `"true"`/`"false"` only: `z.coerce.boolean()` would read `"false"` as true. */
export const booleanFromEnv = (defaultValue: boolean) =>
  z
    .enum(['true', 'false'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');

export const commaList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0),
  )
  .pipe(z.array(z.string()).min(1));

/** Env fragments every service shares; spread into a service's own schema. */
export const kafkaEnv = {
  KAFKA_BROKERS: commaList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** Deployment/test prefix for every topic name. */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
};
export const databaseEnv = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/postgres'),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().max(200).default(10),
  /** How often a service checks its tables' planner statistics while autovacuum is off (0: never). */
  DATABASE_ANALYZE_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
};
export const redisEnv = {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key (tests use a random one). */
  REDIS_KEY_PREFIX: z.string().default('tessera:'),
};
export const httpEnv = (defaultPort: number) => ({
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
});
export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
/** Secrets have no defaults; 32+ bytes, base64 or hex. */
export const secretEnv = z.string().min(32, 'must be at least 32 characters (base64/hex of 32 random bytes)');
