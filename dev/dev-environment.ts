import { type ExplorerServer, startExplorerServer } from '../explorer/server.js';
import { freePort } from './local-stack/free-port.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack/local-stack.js';

export interface DevEnvironmentOptions extends Omit<LocalStackOptions, 'corsAllowOrigins' | 'seed'> {
  /** The store created at start, with `apiKey` (read and write) on it. */
  readonly seed: { readonly storeId: string; readonly apiKey: string };
  /** Port of the explorer; 0 or unset: a free one. */
  readonly explorerPort?: number;
}

export interface DevEnvironment {
  readonly stack: LocalStack;
  readonly explorer: ExplorerServer;
  stop(): Promise<void>;
}

/**
 * What `npm run dev` runs: the local stack and the memory explorer beside it. The explorer's
 * origin is chosen before the API starts, so the API allows it (preflight and the functions'
 * CORS_ALLOW_ORIGINS), as the deployed stack allows its CloudFront origin. The browser tests, the
 * screenshots and the explorer benchmark start exactly this.
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const explorerPort = options.explorerPort || (await freePort());
  const stack = await startLocalStack({ ...options, corsAllowOrigins: [`http://127.0.0.1:${explorerPort}`] });
  try {
    const explorer = await startExplorerServer({
      apiUrl: stack.apiUrl,
      storeId: options.seed.storeId,
      port: explorerPort,
    });
    return {
      stack,
      explorer,
      stop: async () => {
        await explorer.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
