import { describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/catalog.js';
import { ENV } from '../../lib/config/env-names.js';
import { actionsOf, devApp, devConfig, type Json, policyStatements, synthesize } from './synth-fixture.js';

/** Environment names that would carry a credential rather than a reference to one. */
const SECRET_LOOKING = /TOKEN|SECRET(?!_ARN$)|PASSWORD|CREDENTIAL|API_KEY$|PRIVATE/i;

describe('Upstash credentials', () => {
  const synth = devApp();
  const secrets = Object.entries(synth.statefulResources).filter(
    ([, r]) => r.Type === 'AWS::SecretsManager::Secret',
  );

  it('creates agent-memory/<stage>/upstash with an empty placeholder, kept on stack deletion', () => {
    expect(secrets).toHaveLength(1);
    const [id, secret] = secrets[0]!;
    expect(secret.Properties.Name).toBe('agent-memory/dev/upstash');
    expect(JSON.parse(secret.Properties.SecretString)).toEqual({ url: '', token: '' });
    expect(synth.stateful.toJSON().Resources[id].DeletionPolicy).toBe('Retain');
  });

  /** Functions that need `data` (functions/catalog.ts); `/health` reads none. */
  const dataFunctions = allFunctions.filter((fn) => fn.needs.includes('data'));

  it('gives the unauthenticated /health function neither the secret ARN nor a grant on it', () => {
    expect(synth.environmentOf('health')).not.toHaveProperty(ENV.upstashSecretArn);
    const grants = policyStatements(synth.serviceResources).filter(
      ({ roles, statement }) =>
        roles.includes(synth.roleId('health')) &&
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(grants).toEqual([]);
  });

  it('binds only the secret ARN: no URL, token or other credential in any function environment', () => {
    for (const fn of allFunctions) {
      const env = synth.environmentOf(fn.name);
      expect(env, fn.name).not.toHaveProperty(ENV.upstashUrl);
      expect(env, fn.name).not.toHaveProperty(ENV.upstashToken);
      expect(env[ENV.upstashSecretArn] !== undefined, fn.name).toBe(fn.needs.includes('data'));
      const secretLooking = Object.keys(env).filter((name) => SECRET_LOOKING.test(name));
      expect(secretLooking, fn.name).toEqual([]);
      for (const value of Object.values(env)) {
        if (typeof value === 'string') expect(value, fn.name).not.toMatch(/^(AX|ey)[A-Za-z0-9_-]{20,}/);
      }
    }
  });

  it('lets every function read the secret it is given, and nothing wider', () => {
    const statements = policyStatements(synth.serviceResources).filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    for (const fn of dataFunctions) {
      const env = synth.environmentOf(fn.name);
      const own = statements.filter(({ roles }) => roles.includes(synth.roleId(fn.name)));
      expect(own, fn.name).toHaveLength(1);
      const { statement } = own[0]!;
      expect(new Set(actionsOf(statement))).toEqual(
        new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
      expect(statement.Resource, fn.name).toEqual(env[ENV.upstashSecretArn]);
    }
  });

  it('uses an existing secret when the stage names one, and creates none', () => {
    const imported = synthesize(devConfig({ upstash: { existingSecretName: 'shared/upstash' } }));
    expect(
      Object.values(imported.statefulResources).filter((r) => r.Type === 'AWS::SecretsManager::Secret'),
    ).toEqual([]);
    const arn: Json = imported.environmentOf('store-health')[ENV.upstashSecretArn];
    expect(JSON.stringify(arn)).toContain(':secret:shared/upstash');
    const [grant] = policyStatements(imported.serviceResources).filter(
      ({ roles, statement }) =>
        roles.includes(imported.roleId('store-health')) &&
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
    );
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    expect(JSON.stringify(grant?.statement.Resource)).toContain(':secret:shared/upstash-??????');
  });
});
