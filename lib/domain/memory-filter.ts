import type {
  AttributeClause,
  MemoryFilter,
  StoredMemory,
  TagFilter,
} from '../contracts/long-term-memory.js';
import type { CustomMemoryType } from '../contracts/store-config.js';
import { ValidationError } from './errors.js';

/**
 * Long-term memory filter semantics (reference §3.11), in one place:
 * - `sessionId`, `ownerId` compare case-sensitively; `namespace`, `topics`, `memoryType` do not.
 * - `eq`, `in`, `all` need the field to exist: a record without a namespace (or session) never
 *   matches them; `ne` is plain negation and does match such records.
 * - `topics` is multi-valued: `eq` = contains, `ne` = does not contain, `in` = contains any,
 *   `all` = contains all. On single-valued fields `all` matches when every value equals the field.
 * - `createdAt` bounds all hold together; `attributes` clauses all hold together.
 * - `filterOp` combines the top-level fields: `all` (default) = every one, `any` = at least one.
 */
export function matchesFilter(
  record: StoredMemory,
  filter: MemoryFilter | undefined,
  op: 'all' | 'any',
): boolean {
  if (!filter) return true;
  const checks: boolean[] = [];
  if (filter.sessionId) checks.push(single(record.sessionId, filter.sessionId, false));
  if (filter.ownerId) checks.push(single(record.ownerId, filter.ownerId, false));
  if (filter.namespace) checks.push(single(record.namespace, filter.namespace, true));
  if (filter.namespaceRef) checks.push(namespaceRefMatches(record.namespaceId, filter.namespaceRef));
  if (filter.memoryType) checks.push(single(record.memoryType, filter.memoryType, true));
  if (filter.topics) checks.push(multi(record.topics, filter.topics));
  if (filter.createdAt) checks.push(withinDates(record.createdAt, filter.createdAt));
  if (filter.attributes) {
    checks.push(
      Object.entries(filter.attributes).every(([name, clause]) =>
        attributeMatches(record.attributes?.[name], clause),
      ),
    );
  }
  if (checks.length === 0) return true;
  return op === 'all' ? checks.every(Boolean) : checks.some(Boolean);
}

function single(value: string | undefined, filter: TagFilter, caseInsensitive: boolean): boolean {
  const norm = (v: string) => (caseInsensitive ? v.toLowerCase() : v);
  if (filter.ne !== undefined) return value === undefined || norm(value) !== norm(filter.ne);
  if (value === undefined) return false;
  const v = norm(value);
  if (filter.eq !== undefined) return v === norm(filter.eq);
  if (filter.in !== undefined) return filter.in.some((x) => norm(x) === v);
  if (filter.all !== undefined) return filter.all.every((x) => norm(x) === v);
  return true;
}

/** Exact namespace ids, case-sensitive; a record without one never matches (as `eq`/`in` above). */
function namespaceRefMatches(
  id: string | undefined,
  filter: NonNullable<MemoryFilter['namespaceRef']>,
): boolean {
  if (id === undefined) return false;
  return filter.eq !== undefined ? id === filter.eq : (filter.in ?? []).includes(id);
}

function multi(values: readonly string[], filter: TagFilter): boolean {
  const set = new Set(values.map((v) => v.toLowerCase()));
  if (filter.eq !== undefined) return set.has(filter.eq.toLowerCase());
  if (filter.ne !== undefined) return !set.has(filter.ne.toLowerCase());
  if (filter.in !== undefined) return filter.in.some((x) => set.has(x.toLowerCase()));
  if (filter.all !== undefined) return filter.all.every((x) => set.has(x.toLowerCase()));
  return true;
}

function withinDates(createdAt: number, bounds: NonNullable<MemoryFilter['createdAt']>): boolean {
  const at = (v: string | undefined) => (v === undefined ? undefined : Date.parse(v));
  const gt = at(bounds.gt);
  const gte = at(bounds.gte);
  const lt = at(bounds.lt);
  const lte = at(bounds.lte);
  const eq = at(bounds.eq);
  return (
    (gt === undefined || createdAt > gt) &&
    (gte === undefined || createdAt >= gte) &&
    (lt === undefined || createdAt < lt) &&
    (lte === undefined || createdAt <= lte) &&
    (eq === undefined || createdAt === eq)
  );
}

function attributeMatches(value: unknown, clause: AttributeClause): boolean {
  if ('string' in clause) return value === clause.string;
  if ('number' in clause) return typeof value === 'number' && value === clause.number;
  if ('boolean' in clause) return value === clause.boolean;
  return Array.isArray(value) && clause.list.every((item) => value.includes(item));
}

/** Attribute clauses must name a declared custom field and use the member that fits its type. */
export function assertAttributeFilterFits(
  attributes: MemoryFilter['attributes'],
  customTypes: readonly CustomMemoryType[],
): void {
  if (!attributes) return;
  const declared = new Map<string, string>();
  for (const type of customTypes) for (const field of type.fields) declared.set(field.name, field.type);
  for (const [name, clause] of Object.entries(attributes)) {
    const type = declared.get(name);
    const field = `filter.attributes.${name}`;
    if (!type)
      throw new ValidationError(`No custom memory type declares attribute ${name}`, [
        { field, rule: 'declared', message: 'is not a declared attribute' },
      ]);
    const member = Object.keys(clause)[0];
    const fits =
      (member === 'string' && type === 'str') ||
      (member === 'number' && (type === 'int' || type === 'float')) ||
      (member === 'boolean' && type === 'bool') ||
      (member === 'list' && type === 'list[str]');
    if (!fits) {
      throw new ValidationError(
        `Attribute ${name} is declared as ${type}; a ${member} clause cannot match it`,
        [{ field, rule: 'type', message: `must use the clause for a ${type} field` }],
      );
    }
  }
}

/**
 * Which (owner, namespace) partitions can hold matches, so the search reads only those. Exact for
 * the owner and namespace conditions; with `filterOp: any` and any other field, every partition.
 */
export function partitionCouldMatch(
  partition: { ownerId: string; namespace: string | undefined },
  filter: MemoryFilter | undefined,
  op: 'all' | 'any',
): boolean {
  if (!filter) return true;
  const owner = filter.ownerId ? single(partition.ownerId, filter.ownerId, false) : undefined;
  const namespace = filter.namespace ? single(partition.namespace, filter.namespace, true) : undefined;
  // Records filed under a namespace resource carry no namespace label, so they sit in the
  // owner's label-less partition.
  const ref = filter.namespaceRef ? partition.namespace === undefined : undefined;
  const decided = [owner, namespace, ref].filter((v): v is boolean => v !== undefined);
  if (op === 'all') return decided.every(Boolean);
  const others = Object.keys(filter).some(
    (key) => key !== 'ownerId' && key !== 'namespace' && key !== 'namespaceRef',
  );
  if (others || decided.length === 0) return true;
  return decided.some(Boolean);
}
