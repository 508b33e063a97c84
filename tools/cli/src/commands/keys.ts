import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createKeyAdmin, createKeyDirectory, type KeyAdmin } from '@tessera/access';
import { ScopeSchema, type AccessKeyV1, type Scope } from '@tessera/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CliError, ExitCodes, usageError } from '../cli-error';
import { formatTable, splitList } from '../format';
import { pollUntil } from '../poll';

const DIRECTORY_TIMEOUT_MS = 30_000;

/** `ingest:write, profile:read` -> scopes; unknown scopes are a usage error listing the valid ones. */
export function parseScopes(value: string): Scope[] {
  const parts = splitList(value);
  if (parts.length === 0) throw usageError('--scopes needs at least one scope');
  const unknown = parts.filter((p) => !ScopeSchema.safeParse(p).success);
  if (unknown.length > 0) {
    throw usageError(`unknown scope(s): ${unknown.join(', ')} (known: ${ScopeSchema.options.join(', ')})`);
  }
  return [...new Set(parts)] as Scope[];
}

export function validateKeyName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw usageError('--name must be 1 to 200 characters');
  return trimmed;
}

export function validateSourceId(sourceId: string | undefined): string | undefined {
  if (sourceId === undefined) return undefined;
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(sourceId)) {
    throw usageError('--source must be 1 to 100 characters of letters, digits, ".", "_", ":" or "-"');
  }
  return sourceId;
}

/** `active`, `revoked`, or `revokes <time>` for a rotation's grace period. */
export function keyStatus(record: AccessKeyV1, now: Date): string {
  if (record.revokedAt === undefined) return 'active';
  return Date.parse(record.revokedAt) <= now.getTime() ? 'revoked' : `revokes ${record.revokedAt}`;
}

export function isActive(record: AccessKeyV1, now: Date): boolean {
  return record.revokedAt === undefined || Date.parse(record.revokedAt) > now.getTime();
}

export function formatKeyRows(records: AccessKeyV1[], now: Date): string {
  return formatTable(
    ['KEY ID', 'NAME', 'SCOPES', 'SOURCE', 'CREATED', 'STATUS'],
    records.map((r) => [r.keyId, r.name, r.scopes.join(','), r.sourceId, r.createdAt, keyStatus(r, now)]),
  );
}

/** What `--json` prints for a key: the record without its secret hash. */
export function publicKeyView(record: AccessKeyV1): Omit<AccessKeyV1, 'secretSha256'> {
  const { secretSha256: _hash, ...rest } = record;
  return rest;
}

/**
 * Reads the access-keys topic into memory (the same directory every API keeps) and returns the
 * access lib's key admin over it, so CLI changes follow exactly the rules the services enforce.
 */
async function openKeyAdmin(ctx: CliContext): Promise<KeyAdmin> {
  const kafka = ctx.kafka();
  const directory = createKeyDirectory({ kafka, logger: ctx.logger(), groupId: 'tessera-cli.keys' });
  ctx.defer(() => directory.stop());
  await directory.start();
  if (!(await pollUntil(() => directory.ready(), { timeoutMs: DIRECTORY_TIMEOUT_MS }))) {
    throw new CliError(
      `could not read the access-keys topic within ${DIRECTORY_TIMEOUT_MS / 1000}s`,
      ExitCodes.unavailable,
    );
  }
  const producer = kafka.producer({ name: 'cli-keys' });
  await producer.connect();
  ctx.defer(() => producer.disconnect());
  return createKeyAdmin({ producer, directory, actor: `cli:${safeUsername()}`, service: 'cli' });
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function printNewKey(
  ctx: CliContext,
  created: { token: string; record: AccessKeyV1 },
  json: boolean | undefined,
  verb: string,
): void {
  if (json) {
    ctx.io.out(JSON.stringify({ ...publicKeyView(created.record), token: created.token }));
    return;
  }
  const r = created.record;
  ctx.io.out(
    `${verb} key ${r.keyId} (${r.name}; scopes ${r.scopes.join(',')}${r.sourceId ? `; source ${r.sourceId}` : ''})`,
  );
  ctx.io.out(`token: ${created.token}`);
  ctx.io.err('Store the token now: only its hash is kept, it cannot be shown again.');
}

export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys (write keys of sources, read and admin keys)');

  keys
    .command('create')
    .description('create an API key and print its token once')
    .requiredOption('--name <name>', 'what the key is for (shown in listings and audit)')
    .requiredOption('--scopes <scopes>', `comma-separated: ${ScopeSchema.options.join(', ')}`)
    .option('--source <id>', 'bind the key to a source (write keys: events are attributed to it)')
    .option('--json', 'print {keyId, name, scopes, sourceId, createdAt, token} as JSON')
    .option(
      '--token-file <path>',
      'write the token to this file (mode 0600) instead of printing it (automation)',
    )
    .action(
      async (opts: { name: string; scopes: string; source?: string; json?: boolean; tokenFile?: string }) => {
        const name = validateKeyName(opts.name);
        const scopes = parseScopes(opts.scopes);
        const sourceId = validateSourceId(opts.source);
        const admin = await openKeyAdmin(ctx);
        const created = await admin.create({ name, scopes, ...(sourceId !== undefined ? { sourceId } : {}) });
        if (opts.tokenFile !== undefined) {
          writeFileSync(opts.tokenFile, `${created.token}\n`, { mode: 0o600 });
          ctx.io.out(
            opts.json
              ? JSON.stringify(publicKeyView(created.record))
              : `created key ${created.record.keyId}; token written to ${opts.tokenFile}`,
          );
          return;
        }
        printNewKey(ctx, created, opts.json, 'created');
      },
    );

  keys
    .command('list')
    .description('list API keys (secrets are never shown)')
    .option('--all', 'include revoked keys')
    .option('--json', 'print JSON')
    .option('-q, --quiet', 'print only the ids of active keys, one per line')
    .action(async (opts: { all?: boolean; json?: boolean; quiet?: boolean }) => {
      const admin = await openKeyAdmin(ctx);
      const now = new Date();
      const records = admin.list().filter((r) => opts.all || isActive(r, now));
      if (opts.quiet) {
        for (const r of records) if (isActive(r, now)) ctx.io.out(r.keyId);
      } else if (opts.json) {
        ctx.io.out(JSON.stringify(records.map(publicKeyView), null, 2));
      } else {
        ctx.io.out(formatKeyRows(records, now));
      }
    });

  keys
    .command('revoke <keyId>')
    .description('revoke a key at once on every service (idempotent)')
    .action(async (keyId: string) => {
      const admin = await openKeyAdmin(ctx);
      const revoked = await admin.revoke(keyId);
      ctx.io.out(`revoked key ${revoked.keyId} (${revoked.name}) at ${revoked.revokedAt ?? '-'}`);
    });

  keys
    .command('rotate <keyId>')
    .description('create a replacement key (same name, scopes, source) and revoke the old one')
    .option('--grace <seconds>', 'keep the old key valid this long so clients can switch', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 30 * 86_400) {
        throw new InvalidArgumentError('must be whole seconds between 0 and 2592000 (30 days)');
      }
      return n;
    })
    .option('--json', 'print the new key as JSON')
    .action(async (keyId: string, opts: { grace?: number; json?: boolean }) => {
      const admin = await openKeyAdmin(ctx);
      const created = await admin.rotate(keyId, opts.grace !== undefined ? { graceSeconds: opts.grace } : {});
      printNewKey(ctx, created, opts.json, `rotated ${keyId} to`);
    });
}
