import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CliIo } from './admin-cli.js';

/**
 * Operator commands on one store's data, through the data API with an API key (the admin API holds
 * no data routes): erase an owner and follow the job, export an owner or a namespace to an NDJSON
 * file, import such a file. Decision record 0017.
 */
export const DATA_USAGE = `Data (through the data API: AGENT_MEMORY_URL and AGENT_MEMORY_API_KEY, a key with write on the store)
  data erase STORE_ID OWNER_ID [--no-wait]            erases everything of the owner; prints progress until done
  data export STORE_ID (--owner ID | --namespace NS) --out FILE    long-term memories as NDJSON
  data import STORE_ID --in FILE                       NDJSON in the export format, 100 lines per request`;

/** Seconds between two status reads while an erase runs (the maintenance schedule works it). */
const POLL_SECONDS = 10;

export async function runDataCli(
  argv: readonly string[],
  io: CliIo & { sleep?: (ms: number) => Promise<void> },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      owner: { type: 'string' },
      namespace: { type: 'string' },
      out: { type: 'string' },
      in: { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
  });
  const [, command, storeId, ownerId] = positionals;
  const url = io.env.AGENT_MEMORY_URL;
  const key = io.env.AGENT_MEMORY_API_KEY;
  if (!url || !key || !storeId) {
    io.err(
      `${!storeId ? 'A STORE_ID is needed' : 'Set AGENT_MEMORY_URL and AGENT_MEMORY_API_KEY'}\n\n${DATA_USAGE}\n`,
    );
    return 2;
  }
  const base = `${url.replace(/\/+$/, '')}/v1/stores/${encodeURIComponent(storeId)}`;
  const call = async (method: string, path: string, body?: string, contentType?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return { text, headers: response.headers };
  };
  const sleep = io.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  try {
    switch (command) {
      case 'erase': {
        if (!ownerId) throw new Error('data erase needs an OWNER_ID');
        let job = JSON.parse(
          (await call('POST', `/owners/${encodeURIComponent(ownerId)}/erase`)).text,
        ).erasure;
        io.out(`Erasure ${job.jobId} started for owner ${ownerId}\n`);
        while (!values['no-wait'] && job.state !== 'SUCCEEDED') {
          await sleep(POLL_SECONDS * 1000);
          job = JSON.parse((await call('GET', `/erasures/${job.jobId}`)).text).erasure;
          const e = job.erased;
          io.out(
            `${job.state} phase=${job.phase} sessions=${e.sessions} memories=${e.memories} partitions=${e.partitions} keys=${e.keys}\n`,
          );
        }
        return 0;
      }
      case 'export': {
        if (!values.out || (!values.owner && !values.namespace)) {
          throw new Error('data export needs --out FILE and --owner ID or --namespace NS');
        }
        const query = new URLSearchParams({
          ...(values.owner ? { ownerId: values.owner } : {}),
          ...(values.namespace ? { namespace: values.namespace } : {}),
          limit: '500',
        });
        const lines: string[] = [];
        let token: string | null = null;
        do {
          if (token) query.set('pageToken', token);
          const page = await call('GET', `/long-term-memory/export?${query}`);
          lines.push(...page.text.split('\n').filter((line) => line !== ''));
          token = page.headers.get('next-page-token');
          io.out(`exported ${lines.length} records\n`);
        } while (token);
        await writeFile(values.out, lines.map((line) => `${line}\n`).join(''));
        io.out(`Wrote ${lines.length} records to ${values.out}\n`);
        return 0;
      }
      case 'import': {
        if (!values.in) throw new Error('data import needs --in FILE');
        const lines = (await readFile(values.in, 'utf8')).split('\n');
        let imported = 0;
        let failed = 0;
        for (let start = 0; start < lines.length; start += 100) {
          const chunk = lines.slice(start, start + 100);
          if (chunk.every((line) => line.trim() === '')) continue;
          const answer = JSON.parse(
            (await call('POST', '/long-term-memory/import', chunk.join('\n'), 'application/x-ndjson')).text,
          );
          imported += answer.imported.length;
          for (const error of answer.errors) {
            failed += 1;
            io.err(`line ${start + error.line}: ${error.error}\n`);
          }
          io.out(`imported ${imported} records, ${failed} errors\n`);
        }
        return failed > 0 ? 1 : 0;
      }
      default:
        io.err(`Unknown data command ${command ?? ''}\n\n${DATA_USAGE}\n`);
        return 2;
    }
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
