/** DynamoDB's answer to a write whose condition did not hold; read by name, not instanceof (realms differ under Jest). */
export function isConditionalFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'ConditionalCheckFailedException'
  );
}
