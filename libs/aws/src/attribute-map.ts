import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** What DynamoDB items hold here: JSON-like values (dates as ISO strings). */
export type ItemValue = string | number | boolean | null | readonly ItemValue[] | { readonly [key: string]: ItemValue };
export type Item = { readonly [key: string]: ItemValue | undefined };

/**
 * Plain object → DynamoDB attribute map. Arrays become lists (not sets: sets reject duplicates
 * and empty values), null stays NULL so a round trip gives back the same object, undefined
 * properties are left out.
 */
export function toAttributeMap(item: Item): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(item)) {
    if (value !== undefined) map[key] = toAttributeValue(value, key);
  }
  return map;
}

export function fromAttributeMap(map: Record<string, AttributeValue>): Record<string, ItemValue> {
  const item: Record<string, ItemValue> = {};
  for (const [key, value] of Object.entries(map)) item[key] = fromAttributeValue(value);
  return item;
}

function toAttributeValue(value: ItemValue, path: string): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: DynamoDB cannot store ${value}`);
    return { N: String(value) };
  }
  if (Array.isArray(value)) return { L: value.map((v: ItemValue, i: number) => toAttributeValue(v, `${path}[${i}]`)) };
  const map: Record<string, AttributeValue> = {};
  for (const [key, inner] of Object.entries(value as { readonly [key: string]: ItemValue | undefined })) {
    if (inner !== undefined) map[key] = toAttributeValue(inner, `${path}.${key}`);
  }
  return { M: map };
}

function fromAttributeValue(value: AttributeValue): ItemValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.M !== undefined) return fromAttributeMap(value.M);
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  throw new Error(`Unsupported DynamoDB attribute type: ${Object.keys(value).join(', ')}`);
}
