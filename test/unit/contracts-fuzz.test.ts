import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as common from '../../lib/contracts/common.js';
import * as controlPlane from '../../lib/contracts/control-plane.js';
import * as longTermMemory from '../../lib/contracts/long-term-memory.js';
import * as memoryPrompt from '../../lib/contracts/memory-prompt.js';
import { type InputLocation, MAX_FIELD_ERRORS, parseInput } from '../../lib/contracts/parse.js';
import * as promotionMessage from '../../lib/contracts/promotion-message.js';
import * as sessionMemory from '../../lib/contracts/session-memory.js';
import * as storeConfig from '../../lib/contracts/store-config.js';
import { ValidationError } from '../../lib/domain/errors.js';

/**
 * Every zod schema of lib/contracts, fed arbitrary values through `parseInput`: it returns, or it
 * throws a ValidationError whose fields name what was wrong. Nothing else escapes (no TypeError from
 * a refinement meeting an unexpected type, no stack overflow, no ZodError). The HTTP fuzz suite
 * (test/e2e/fuzz.test.ts) covers the same ground end to end; this one runs in milliseconds.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const modules = {
  common,
  controlPlane,
  longTermMemory,
  memoryPrompt,
  promotionMessage,
  sessionMemory,
  storeConfig,
};
const schemas = Object.entries(modules).flatMap(([module, exports]) =>
  Object.entries(exports)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .map(([name, schema]) => [`${module}.${name}`, schema] as const),
);

/** Values of every JavaScript kind, not just JSON: what a buggy caller could hand a schema. */
const anyValue = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  size: 'small',
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary',
});

const awkwardStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    'a\udfff',
    '🙂',
    '2026-06-25T18:00:00Z',
    '2026-02-30T25:61:00+99:00',
  ),
  fc.constantFrom('x'.repeat(70_000), '{}', '__proto__', 'constructor', 'toString', 'true', '1e309', '-0'),
);
const awkwardNumbers = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, Number.MAX_SAFE_INTEGER + 2, 1e-320),
);
const junk = fc.oneof(anyValue, awkwardStrings, awkwardNumbers);

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/**
 * Values shaped like the schema (its keys, element and option types, enum members) with junk mixed
 * in at every level, so fuzzing reaches the refinements deep inside a schema, not just its top.
 */
function shaped(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return junk;
  const def = defOf(schema);
  const inner = (child: z.ZodType | undefined) => (child ? shaped(child, depth + 1) : junk);
  const near = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: junk });
  switch (def.type) {
    case 'object': {
      const keys = Object.keys(def.shape ?? {});
      const record = fc.record(Object.fromEntries(keys.map((key) => [key, inner(def.shape?.[key])])), {
        requiredKeys: [],
      });
      const extra = fc.dictionary(awkwardStrings, junk, { maxKeys: 3 });
      return near(fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known })));
    }
    case 'array':
      return near(
        fc.oneof(
          fc.array(inner(def.element), { maxLength: 6 }),
          fc.constant(Array.from({ length: 2_000 }, (_, i) => i)),
        ),
      );
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return inner(def.innerType);
    case 'pipe':
      return inner(def.in);
    case 'union':
      return def.options && def.options.length > 0 ? fc.oneof(...def.options.map(inner)) : junk;
    case 'intersection':
      return fc.oneof(inner(def.left), inner(def.right));
    case 'record': {
      const key = fc.oneof(
        awkwardStrings,
        inner(def.keyType).filter((k): k is string => typeof k === 'string'),
      );
      return near(fc.dictionary(key, inner(def.valueType), { maxKeys: 5 }));
    }
    case 'enum':
      return near(fc.constantFrom(...Object.values(def.entries ?? { x: 'x' })));
    case 'literal':
      return near(fc.constantFrom(...(def.values ?? [null])));
    case 'string':
      return near(awkwardStrings);
    case 'number':
      return near(awkwardNumbers);
    case 'boolean':
      return near(fc.boolean());
    default:
      return junk;
  }
}

const LOCATIONS: readonly InputLocation[] = ['body', 'query', 'path'];

function expectParsesOrValidationError(schema: z.ZodType, value: unknown, location: InputLocation): void {
  try {
    parseInput(schema, value, location);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ValidationError);
    const { fields, message } = error as ValidationError;
    expect(message).toMatch(new RegExp(`^Invalid ${location}: `));
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.length).toBeLessThanOrEqual(MAX_FIELD_ERRORS);
    for (const field of fields) {
      expect(field).toEqual({
        field: expect.any(String),
        rule: expect.any(String),
        message: expect.any(String),
      });
    }
  }
}

describe('contract schemas under arbitrary input', () => {
  it('finds the schemas', () => {
    console.info(`contracts fuzz: seed ${SEED}, ${schemas.length} schemas, ${RUNS} runs per property`);
    expect(schemas.length).toBeGreaterThan(20);
  });

  it.each(schemas)('%s parses or throws a ValidationError', (_, schema) => {
    fc.assert(
      fc.property(fc.oneof(shaped(schema), junk), fc.constantFrom(...LOCATIONS), (value, location) =>
        expectParsesOrValidationError(schema, value, location),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('survives deep nesting wherever a schema takes unknown values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] };
    for (const [, schema] of schemas) {
      expectParsesOrValidationError(schema, deep, 'body');
      const keys = Object.keys(defOf(schema).shape ?? {});
      expectParsesOrValidationError(schema, Object.fromEntries(keys.map((key) => [key, deep])), 'body');
    }
  });
});
