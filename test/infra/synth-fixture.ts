/**
 * The CDK app as `cdk synth` builds it (cdk.json's feature flags, cdk-nag registered, so an
 * unacknowledged finding fails every test file), with bundling skipped, plus helpers that read the
 * synthesized templates. CDK's built-in CloudFormation validation is off here (it takes ~3 s per
 * synthesis on this machine); `nag.test.ts` runs one synthesis with it on.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { type AgentMemoryStacks, defineAgentMemoryApp } from '../../infra/bin/app.js';
import {
  parseStageConfig,
  STAGE_DEFAULTS,
  type StageConfig,
  type StageConfigInput,
} from '../../infra/config/stage-config.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped
export type Json = any;
export type Resources = Record<string, { Type: string; Properties?: Json; DependsOn?: string[] }>;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

export interface SynthesizedApp {
  readonly app: App;
  /** Where the app was synthesized. */
  readonly outdir: string;
  readonly config: StageConfig;
  readonly stacks: AgentMemoryStacks;
  readonly service: Template;
  readonly stateful: Template;
  readonly serviceResources: Resources;
  readonly statefulResources: Resources;
  /** `[logicalId, resource]` of every resource of `type` in the service stack. */
  ofType(type: string): [string, Resources[string]][];
  /** Logical id of a catalog function's `AWS::Lambda::Function`. */
  functionId(name: string): string;
  /** Logical id of a catalog function's role. */
  roleId(name: string): string;
  /** Environment variables of a catalog function. */
  environmentOf(name: string): Record<string, Json>;
}

/** The dev stage's `api` settings, to spread when a test changes one of them. */
export const STAGE_API = STAGE_DEFAULTS.dev!.api;

/** The dev stage with `change` applied on top (shallow, per top-level key). */
export function devConfig(change: Partial<StageConfigInput> = {}): StageConfig {
  return parseStageConfig({ ...STAGE_DEFAULTS.dev!, ...change });
}

/** A fresh app of `config`, not yet synthesized. */
export function defineApp(
  config: StageConfig = devConfig(),
  options: { readonly builtinCloudFormationValidation?: boolean } = {},
): { app: App; stacks: AgentMemoryStacks } {
  const app = new App({
    context: { ...cdkJson.context, [BUNDLING_STACKS]: [] },
    builtinCloudFormationValidation: options.builtinCloudFormationValidation ?? false,
  });
  return { app, stacks: defineAgentMemoryApp(app, config) };
}

export function synthesize(config: StageConfig = devConfig()): SynthesizedApp {
  const { app, stacks } = defineApp(config);
  const assembly = app.synth();
  const service = Template.fromJSON(assembly.getStackArtifact(stacks.service.artifactId).template);
  const stateful = Template.fromJSON(assembly.getStackArtifact(stacks.stateful.artifactId).template);
  const serviceResources = service.toJSON().Resources as Resources;
  const statefulResources = stateful.toJSON().Resources as Resources;
  const functionId = (name: string): string => {
    const fn = stacks.service.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return stacks.service.getLogicalId(fn.lambda.node.defaultChild as CfnFunction);
  };
  return {
    app,
    outdir: assembly.directory,
    config,
    stacks,
    service,
    stateful,
    serviceResources,
    statefulResources,
    ofType: (type) => Object.entries(serviceResources).filter(([, resource]) => resource.Type === type),
    functionId,
    roleId: (name) => [...referencedIds(serviceResources[functionId(name)]!.Properties.Role)][0]!,
    environmentOf: (name) => serviceResources[functionId(name)]!.Properties.Environment?.Variables ?? {},
  };
}

let defaultApp: SynthesizedApp | undefined;
/** The default dev stage, synthesized once per test file. */
export function devApp(): SynthesizedApp {
  defaultApp ??= synthesize();
  return defaultApp;
}

/** Logical ids a CloudFormation value points at through `Ref` / `Fn::GetAtt`. */
export function referencedIds(value: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, found);
  else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    if (Array.isArray(value['Fn::GetAtt'])) found.add(value['Fn::GetAtt'][0]);
    for (const item of Object.values(value)) referencedIds(item, found);
  }
  return found;
}

/** Full path (`/v1/stores/{storeId}/…`) of every API Gateway resource of one REST API, by logical id. */
export function resourcePaths(resources: Resources, restApiId: string): Map<string, string> {
  const parts = new Map(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource' && r.Properties.RestApiId.Ref === restApiId)
      .map(([id, r]) => [id, r.Properties] as const),
  );
  const pathOf = (id: string): string => {
    const props = parts.get(id)!;
    const parent = props.ParentId.Ref as string | undefined;
    return `${parent ? pathOf(parent) : ''}/${props.PathPart}`;
  };
  return new Map([...parts.keys()].map((id) => [id, pathOf(id)]));
}

/** Every method of one REST API as `{ method, path, properties }`. */
export function methodsOf(
  resources: Resources,
  restApiId: string,
): { method: string; path: string; properties: Json }[] {
  const paths = resourcePaths(resources, restApiId);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.RestApiId.Ref === restApiId)
    .map((r) => {
      const resourceId = r.Properties.ResourceId.Ref as string | undefined;
      return {
        method: r.Properties.HttpMethod as string,
        path: resourceId ? paths.get(resourceId)! : '/',
        properties: r.Properties,
      };
    });
}

/** Statements of every IAM policy in `resources`, with the roles each is attached to. */
export function policyStatements(
  resources: Resources,
): { roles: string[]; statement: Record<string, Json>; policyId: string }[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .flatMap(([policyId, policy]) =>
      (policy.Properties.PolicyDocument.Statement as Record<string, Json>[]).map((statement) => ({
        policyId,
        roles: [...referencedIds(policy.Properties.Roles)],
        statement,
      })),
    );
}

/** A statement's actions as an array. */
export function actionsOf(statement: Record<string, Json>): string[] {
  return [statement.Action].flat();
}
