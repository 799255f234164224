/**
 * `config.json` beside the page, written by whoever serves it (`npm run dev`, `npm run explorer`,
 * the CDK deployment): the data API's URL and, optionally, the store offered in the connect form.
 * Never a key.
 */
export interface ExplorerConfig {
  readonly apiUrl: string;
  readonly storeId?: string;
}
