/**
 * The task's availability zone from the ECS task metadata endpoint (v4), so that every result can
 * be told apart by AZ (the seeds' resolver failure hit one AZ only). Null when not on ECS or unreachable.
 */
export async function fetchAvailabilityZone({ metadataUri, timeoutMs = 1000 }: { metadataUri: string; timeoutMs?: number }): Promise<string | null> {
  const response = await fetch(`${metadataUri.replace(/\/$/, '')}/task`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`task metadata answered ${response.status}`);
  const body = (await response.json()) as { AvailabilityZone?: unknown };
  return typeof body.AvailabilityZone === 'string' && body.AvailabilityZone.length > 0 ? body.AvailabilityZone : null;
}
