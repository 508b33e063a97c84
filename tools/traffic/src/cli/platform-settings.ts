import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Routes, type Route } from '../world/model';

/** Where the running platform is and which keys to use, from flags, the environment and `.tessera/dev-keys.env`. */
export interface PlatformSettings {
  ingestUrl: string;
  identityUrl: string;
  profileUrl: string;
  consentUrl: string;
  writeKeys: Partial<Record<Route | 'default', string>>;
  readKey?: string;
}

export interface PlatformFlags {
  ingestUrl?: string;
  identityUrl?: string;
  profileUrl?: string;
  consentUrl?: string;
  writeKey?: string;
  /** `route=key,route=key` for sources with their own keys. */
  writeKeys?: string;
  readKey?: string;
  keysFile?: string;
}

/** KEY=VALUE lines (optionally `export`ed and quoted), the format scripts/up.sh writes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]!] = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Parses `web=key1,pos=key2`. */
export function parseWriteKeys(spec: string): Partial<Record<Route, string>> {
  const out: Partial<Record<Route, string>> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const route = part.slice(0, eq) as Route;
    if (eq < 1 || !(Routes as readonly string[]).includes(route))
      throw new Error(`--write-keys: "${part.slice(0, Math.max(eq, 0))}" is not one of ${Routes.join(', ')}`);
    out[route] = part.slice(eq + 1);
  }
  return out;
}

export function resolvePlatformSettings(
  flags: PlatformFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): PlatformSettings {
  const envFile = flags.keysFile ?? path.join(cwd, '.tessera', 'dev-keys.env');
  const fileVars = existsSync(envFile) ? parseEnvFile(readFileSync(envFile, 'utf8')) : {};
  const get = (name: string): string | undefined => env[name] ?? fileVars[name];
  const local = (portVar: string, port: number): string => `http://127.0.0.1:${get(portVar) ?? port}`;
  const writeKey = flags.writeKey ?? get('TESSERA_WRITE_KEY');
  const settings: PlatformSettings = {
    ingestUrl: flags.ingestUrl ?? get('TESSERA_INGEST_URL') ?? local('INGEST_PORT', 8080),
    identityUrl: flags.identityUrl ?? get('TESSERA_IDENTITY_URL') ?? local('IDENTITY_PORT', 8081),
    profileUrl: flags.profileUrl ?? get('TESSERA_PROFILE_URL') ?? local('PROFILE_STORE_PORT', 8082),
    consentUrl: flags.consentUrl ?? get('TESSERA_CONSENT_URL') ?? local('CONSENT_PORT', 8083),
    writeKeys: {
      ...(writeKey ? { default: writeKey } : {}),
      ...parseWriteKeys(flags.writeKeys ?? get('TESSERA_WRITE_KEYS') ?? ''),
    },
  };
  const readKey = flags.readKey ?? get('TESSERA_READ_KEY');
  if (readKey) settings.readKey = readKey;
  return settings;
}
