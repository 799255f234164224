import { BUILT_IN_MEMORY_TYPES, type CreateMemoryRecord } from '../../contracts/long-term-memory.js';
import type { CustomMemoryType } from '../../contracts/store-config.js';
import { attributeProblem } from '../custom-attributes.js';

/**
 * Why a record's memory type and attributes are not acceptable in a store, or undefined when they
 * are: built-in types take no attributes; a custom type must be registered on the store and its
 * attributes must fit the type's declared fields.
 */
export function typeProblem(
  record: Pick<CreateMemoryRecord, 'memoryType' | 'attributes'>,
  customTypes: readonly CustomMemoryType[],
): string | undefined {
  const typeName = record.memoryType ?? 'semantic';
  if ((BUILT_IN_MEMORY_TYPES as readonly string[]).includes(typeName)) {
    return record.attributes && Object.keys(record.attributes).length > 0
      ? 'attributes are only allowed on custom memory types'
      : undefined;
  }
  const type = customTypes.find((t) => t.name === typeName);
  if (!type) return `memoryType ${typeName} is not registered on this store`;
  return record.attributes ? attributeProblem(record.attributes, type) : undefined;
}
