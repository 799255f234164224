import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signedFetch } from '../lib/adapters/admin-client/signed-fetch.js';
import { DATA_USAGE, runDataCli } from './data-cli.js';

export type SignedFetch = typeof signedFetch;

/**
 * The operator CLI of the control plane: every command is one signed (SigV4) request to the admin
 * API, on AWS or on the local stack (`npm run dev` prints the URL and credentials to use).
 * `runAdminCli` is the whole program; cli/admin.ts only binds it to the process.
 */

export const USAGE = `Usage: npm run admin -- [--endpoint URL] [--region REGION] [--json] <command>

Stores
  stores list
  stores create --name NAME [--short-ttl SECONDS] [--long-ttl SECONDS] [--config JSON|@FILE]
  stores get STORE_ID
  stores update STORE_ID [--name NAME] [--short-ttl SECONDS] [--long-ttl SECONDS] [--config JSON|@FILE]
  stores delete STORE_ID --yes        deletes the store, all its data, and its keys' grants on it

API keys (grants: STORE_ID:read | STORE_ID:write | STORE_ID:read,write; write implies read)
  keys list [--max N] [--next TOKEN]
  keys mint --name NAME --grant GRANT [--grant GRANT ...] [--plan TIER] [--expires-at UNIX_SECONDS]
  keys get KEY_ID
  keys update KEY_ID [--name NAME] [--grant GRANT ...]     --grant replaces all grants
  keys rotate KEY_ID [--grace SECONDS]                     old key works for the grace (default 3600)
  keys revoke KEY_ID

${DATA_USAGE}

Extractors (document ingestion; INSTRUCTIONS is text or @FILE)
  extractors list STORE_ID
  extractors create STORE_ID --name NAME --memory-type TYPE --description TEXT --instructions INSTRUCTIONS [--model MODEL_ID]
  extractors get STORE_ID EXTRACTOR_ID
  extractors update STORE_ID EXTRACTOR_ID [--name NAME] [--description TEXT] [--instructions INSTRUCTIONS] [--model MODEL_ID]
  extractors delete STORE_ID EXTRACTOR_ID

Other
  detectors                            the built-in sensitive-data detectors

The endpoint is the admin API URL (stack output AdminApiUrl), or AGENT_MEMORY_ADMIN_URL.
Requests are signed with the default AWS credential chain (environment, profile, SSO, role).
The token of a minted or rotated key is printed once; it is not stored anywhere.`;

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Injected by tests; defaults to the SigV4 `signedFetch`. */
  readonly fetch?: SignedFetch;
}

class UsageError extends Error {}

/** What the admin API answers, as far as the CLI prints it (the API validates; the CLI only shows). */
interface Reply {
  readonly storeId?: string;
  readonly stores?: StoreView[];
  readonly apiKeys?: KeyView[];
  readonly nextToken?: string;
  readonly keyId?: string;
  readonly token?: string;
  readonly oldExpiresAt?: number;
  readonly detectors?: Array<{ id: string; description: string }>;
  readonly [field: string]: unknown;
}
interface StoreView {
  readonly storeId: string;
  readonly name: string;
  readonly shortMemory?: { ttlSeconds: number };
  readonly longTermMemory?: { ttlSeconds: number };
}
interface GrantView {
  readonly resourceId: string;
  readonly actions: string[];
}
interface KeyView {
  readonly keyId: string;
  readonly name: string;
  readonly plan?: string;
  readonly grants?: GrantView[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly rotatedFrom?: string;
  readonly rotatedTo?: string;
}
interface ProblemView {
  readonly title?: unknown;
  readonly detail?: unknown;
  readonly message?: unknown;
  readonly fields?: Array<{ field: string; message: string }>;
}

interface Request {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly render: (body: Reply) => string;
}

/** Runs one command; returns the exit code (0 ok, 1 request failed, 2 usage error). */
export async function runAdminCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Data commands go to the data API with an API key, not to the admin API (cli/data-cli.ts).
  if (argv[0] === 'data') return runDataCli(argv, io);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let request: Request;
  try {
    request = buildRequest(positionals, values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const endpoint = values.endpoint ?? io.env.AGENT_MEMORY_ADMIN_URL;
  if (!endpoint) {
    io.err('No admin API endpoint: pass --endpoint or set AGENT_MEMORY_ADMIN_URL\n');
    return 2;
  }
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const url = `${endpoint.replace(/\/+$/, '')}${request.path}`;
  let response: Awaited<ReturnType<SignedFetch>>;
  try {
    response = await (io.fetch ?? signedFetch)({
      url,
      method: request.method,
      region,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  } catch (error) {
    io.err(`Could not reach ${endpoint}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const body = parseJson(response.body);
  if (response.status >= 400) {
    io.err(`${describeFailure(response.status, body as ProblemView | undefined)}\n`);
    return 1;
  }
  io.out(`${values.json ? JSON.stringify(body ?? {}, null, 2) : request.render(body ?? {})}\n`);
  return 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      endpoint: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      config: { type: 'string' },
      'short-ttl': { type: 'string' },
      'long-ttl': { type: 'string' },
      yes: { type: 'boolean' },
      grant: { type: 'string', multiple: true },
      plan: { type: 'string' },
      'expires-at': { type: 'string' },
      grace: { type: 'string' },
      max: { type: 'string' },
      next: { type: 'string' },
      'memory-type': { type: 'string' },
      description: { type: 'string' },
      instructions: { type: 'string' },
      model: { type: 'string' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

function buildRequest(positionals: readonly string[], values: Values): Request {
  if (positionals[0] === 'extractors') return extractorRequest(positionals, values);
  const [group, command, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
  const needId = (what: string) => {
    if (!id) throw new UsageError(`${group} ${command} needs a ${what}`);
    return encodeURIComponent(id);
  };
  switch (`${group} ${command ?? ''}`.trim()) {
    case 'stores list':
      return { method: 'GET', path: '/v1/stores', render: (b) => renderStores(b.stores ?? []) };
    case 'stores create':
      if (!values.name) throw new UsageError('stores create needs --name');
      return {
        method: 'POST',
        path: '/v1/stores',
        body: { ...storeSettings(values), name: values.name },
        render: (b) => `Created store ${b.storeId}`,
      };
    case 'stores get':
      return { method: 'GET', path: `/v1/stores/${needId('STORE_ID')}`, render: renderStore };
    case 'stores update': {
      const path = `/v1/stores/${needId('STORE_ID')}`;
      const body = { ...storeSettings(values), ...(values.name ? { name: values.name } : {}) };
      if (Object.keys(body).length === 0) throw new UsageError('stores update needs a setting to change');
      return { method: 'PATCH', path, body, render: renderStore };
    }
    case 'stores delete': {
      const path = `/v1/stores/${needId('STORE_ID')}`;
      if (!values.yes) throw new UsageError('stores delete erases all data of the store: confirm with --yes');
      return { method: 'DELETE', path, render: () => `Deleted store ${id} and all its data` };
    }
    case 'keys list': {
      const query = new URLSearchParams();
      if (values.max) query.set('maxResults', values.max);
      if (values.next) query.set('nextToken', values.next);
      const suffix = query.size > 0 ? `?${query}` : '';
      return {
        method: 'GET',
        path: `/v1/api-keys${suffix}`,
        render: (b) => `${renderKeys(b.apiKeys ?? [])}${b.nextToken ? `\nMore: --next ${b.nextToken}` : ''}`,
      };
    }
    case 'keys mint': {
      if (!values.name) throw new UsageError('keys mint needs --name');
      if (!values.grant?.length)
        throw new UsageError('keys mint needs at least one --grant STORE_ID:read|write');
      return {
        method: 'POST',
        path: '/v1/api-keys',
        body: {
          name: values.name,
          grants: values.grant.map(parseGrant),
          ...(values.plan ? { plan: values.plan } : {}),
          ...(values['expires-at'] ? { expiresAt: integer(values['expires-at'], '--expires-at') } : {}),
        },
        render: (b) => `Minted key ${b.keyId}\nToken (shown once, store it now): ${b.token}`,
      };
    }
    case 'keys get':
      return { method: 'GET', path: `/v1/api-keys/${needId('KEY_ID')}`, render: renderKey };
    case 'keys update': {
      const path = `/v1/api-keys/${needId('KEY_ID')}`;
      const body = {
        ...(values.name ? { name: values.name } : {}),
        ...(values.grant?.length ? { grants: values.grant.map(parseGrant) } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError('keys update needs --name or --grant');
      return { method: 'PATCH', path, body, render: renderKey };
    }
    case 'keys rotate':
      return {
        method: 'POST',
        path: `/v1/api-keys/${needId('KEY_ID')}/rotate`,
        body: values.grace ? { graceSeconds: integer(values.grace, '--grace') } : {},
        render: (b) =>
          `Rotated key ${id} -> ${b.keyId}\nToken (shown once, store it now): ${b.token}\n` +
          `The old key works until ${isoSeconds(b.oldExpiresAt)}`,
      };
    case 'keys revoke':
      return {
        method: 'DELETE',
        path: `/v1/api-keys/${needId('KEY_ID')}`,
        render: () => `Revoked key ${id}`,
      };
    case 'detectors':
      return {
        method: 'GET',
        path: '/v1/detectors',
        render: (b) => (b.detectors ?? []).map((d) => `${d.id.padEnd(12)} ${d.description}`).join('\n'),
      };
    default:
      throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
  }
}

/** `extractors …`: the store's document extractors (two ids: the store, then the extractor). */
function extractorRequest(positionals: readonly string[], values: Values): Request {
  const [, command, storeId, extractorId, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
  if (!storeId) throw new UsageError(`extractors ${command ?? ''} needs a STORE_ID`.replace('  ', ' '));
  const base = `/v1/stores/${encodeURIComponent(storeId)}/extractors`;
  const one = () => {
    if (!extractorId) throw new UsageError(`extractors ${command} needs an EXTRACTOR_ID`);
    return `${base}/${encodeURIComponent(extractorId)}`;
  };
  const settings = {
    ...(values.name ? { name: values.name } : {}),
    ...(values.description ? { description: values.description } : {}),
    ...(values.instructions ? { instructions: textOrFile(values.instructions) } : {}),
    ...(values.model ? { model: values.model } : {}),
  };
  const render = (b: Reply) =>
    `${b.extractorId}  ${b.name}  memoryType=${b.memoryType}  model=${b.model}\n${b.instructions ?? ''}`;
  switch (command) {
    case 'list':
      return {
        method: 'GET',
        path: base,
        render: (b) =>
          table(
            ['EXTRACTOR_ID', 'NAME', 'MEMORY_TYPE', 'MODEL'],
            ((b.extractors ?? []) as Reply[]).map((e) => [
              String(e.extractorId),
              String(e.name),
              String(e.memoryType),
              String(e.model),
            ]),
          ),
      };
    case 'create':
      if (!values.name || !values['memory-type'] || !values.description || !values.instructions) {
        throw new UsageError(
          'extractors create needs --name, --memory-type, --description and --instructions',
        );
      }
      return {
        method: 'POST',
        path: base,
        body: { ...settings, memoryType: values['memory-type'] },
        render: (b) => `Created extractor ${b.extractorId}`,
      };
    case 'get':
      return { method: 'GET', path: one(), render };
    case 'update':
      if (Object.keys(settings).length === 0)
        throw new UsageError('extractors update needs a setting to change');
      return { method: 'PATCH', path: one(), body: settings, render };
    case 'delete':
      return { method: 'DELETE', path: one(), render: () => `Deleted extractor ${extractorId}` };
    default:
      throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
  }
}

/** A flag's text, or a file's when it starts with `@`. */
function textOrFile(value: string): string {
  return value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
}

function storeSettings(values: Values): Record<string, unknown> {
  const settings: Record<string, unknown> = values.config ? readConfig(values.config) : {};
  if (values['short-ttl']) settings.shortMemory = { ttlSeconds: integer(values['short-ttl'], '--short-ttl') };
  if (values['long-ttl']) settings.longTermMemory = { ttlSeconds: integer(values['long-ttl'], '--long-ttl') };
  return settings;
}

/** `--config '{"summarization": …}'` or `--config @store.json`. */
function readConfig(value: string): Record<string, unknown> {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  const parsed = parseJson(text);
  if (parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--config must be a JSON object (inline or @file)');
  }
  return parsed as Record<string, unknown>;
}

function parseGrant(value: string) {
  const match = /^([A-Za-z0-9-]{1,64}):((?:read|write)(?:,(?:read|write))?)$/.exec(value);
  if (!match)
    throw new UsageError(
      `Bad --grant ${value}: expected STORE_ID:read, STORE_ID:write or STORE_ID:read,write`,
    );
  return { resourceType: 'mem-store', resourceId: match[1], actions: [...new Set(match[2]!.split(','))] };
}

function integer(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number`);
  return Number(value);
}

function parseJson(text: string): Reply | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Problem bodies (ours) and API Gateway's own `{message}` bodies (IAM failures), one line each. */
function describeFailure(status: number, body: ProblemView | undefined): string {
  if (body && typeof body === 'object' && typeof body.title === 'string') {
    const lines = [`Error ${status} ${body.title}${body.detail ? `: ${body.detail}` : ''}`];
    for (const field of body.fields ?? []) lines.push(`  ${field.field}: ${field.message}`);
    return lines.join('\n');
  }
  if (body && typeof body.message === 'string') {
    const hint = status === 403 ? ' (check the AWS credentials and that they may invoke the admin API)' : '';
    return `Error ${status}: ${body.message}${hint}`;
  }
  return `Error ${status}`;
}

function renderStores(stores: StoreView[]): string {
  if (stores.length === 0) return 'No stores';
  return table(
    ['STORE ID', 'NAME', 'SESSION TTL', 'LONG-TERM TTL'],
    stores.map((s) => [
      s.storeId,
      s.name,
      `${s.shortMemory?.ttlSeconds}s`,
      `${s.longTermMemory?.ttlSeconds}s`,
    ]),
  );
}

function renderStore(store: Reply): string {
  return JSON.stringify(store, null, 2);
}

function renderKeys(keys: KeyView[]): string {
  if (keys.length === 0) return 'No API keys';
  return table(
    ['KEY ID', 'NAME', 'PLAN', 'GRANTS', 'EXPIRES'],
    keys.map((k) => [
      k.keyId,
      k.name,
      k.plan ?? '',
      grantsText(k.grants),
      k.expiresAt ? isoSeconds(k.expiresAt) : 'never',
    ]),
  );
}

function renderKey(reply: Reply): string {
  const key = reply as unknown as KeyView;
  return [
    `Key      ${key.keyId}`,
    `Name     ${key.name}`,
    `Plan     ${key.plan ?? ''}`,
    `Grants   ${grantsText(key.grants)}`,
    `Created  ${isoSeconds(key.createdAt)}`,
    `Expires  ${key.expiresAt ? isoSeconds(key.expiresAt) : 'never'}`,
    ...(key.rotatedFrom ? [`Replaces ${key.rotatedFrom}`] : []),
    ...(key.rotatedTo ? [`Replaced by ${key.rotatedTo}`] : []),
  ].join('\n');
}

function grantsText(grants: GrantView[] = []): string {
  return grants.map((g) => `${g.resourceId}:${g.actions.join(',')}`).join(' ');
}

function isoSeconds(seconds: number | undefined): string {
  return seconds === undefined ? 'unknown' : new Date(seconds * 1000).toISOString();
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
