import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { devApp } from './synth-fixture.js';

test('count', () => {
  let s: any;
  try {
    s = devApp();
  } catch (e) {
    writeFileSync('/tmp/count.json', String(e).slice(0, 300));
    return;
  }
  const t: Record<string, number> = {};
  for (const r of Object.values(s.serviceResources) as any[]) {
    const k =
      r.Type === 'AWS::ApiGateway::Method'
        ? r.Type + ':' + r.Properties.HttpMethod + ':' + (r.Properties.Integration?.Type ?? '')
        : r.Type;
    t[k] = (t[k] ?? 0) + 1;
  }
  writeFileSync('/tmp/count.json', JSON.stringify(t, null, 1));
});
