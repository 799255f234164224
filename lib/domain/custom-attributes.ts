import type { CustomFieldType, CustomMemoryType } from '../contracts/store-config.js';

/**
 * Checks `attributes` against a custom memory type's declared fields.
 * @returns a message naming the first problem, or undefined when they fit.
 */
export function attributeProblem(
  attributes: Readonly<Record<string, unknown>>,
  type: CustomMemoryType,
): string | undefined {
  const fields = new Map(type.fields.map((f) => [f.name, f.type]));
  for (const [name, value] of Object.entries(attributes)) {
    const declared = fields.get(name);
    if (!declared) return `attribute ${name} is not a field of memory type ${type.name}`;
    if (!fits(value, declared)) return `attribute ${name} must be of type ${declared}`;
  }
  return undefined;
}

/** Whether a value has a declared field type (custom memory types, structured summary views). */
export function fits(value: unknown, type: CustomFieldType): boolean {
  switch (type) {
    case 'str':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'list[str]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'list[float]':
      return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}
