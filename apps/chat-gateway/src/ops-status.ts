import type { AppName, AppStatusEntry, OpsStatus, ServiceStatus } from '@manga-assist/contracts';

/** Another app whose status the gateway gathers through its typed tRPC client. */
export interface StatusPeer {
  app: AppName;
  url: string;
  status(): Promise<ServiceStatus>;
}

/** Gathers every app's status in parallel; an app that does not answer is reported, not awaited. */
export async function collectOpsStatus(self: { url: string; status(): ServiceStatus }, peers: StatusPeer[]): Promise<OpsStatus> {
  const own = self.status();
  const entries: AppStatusEntry[] = [
    { app: own.app, url: self.url, reachable: true, status: own, error: null },
    ...(await Promise.all(
      peers.map(async (peer): Promise<AppStatusEntry> => {
        try {
          return { app: peer.app, url: peer.url, reachable: true, status: await peer.status(), error: null };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return { app: peer.app, url: peer.url, reachable: false, status: null, error: message };
        }
      }),
    )),
  ];
  return {
    ready: entries.every((e) => e.status?.ready === true),
    checkedAt: new Date().toISOString(),
    apps: entries,
  };
}
