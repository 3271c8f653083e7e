// Preloaded into a benchmarked app (NODE_OPTIONS=--require …): samples every allocation from start
// to exit, including objects already collected by a minor or major GC (what makes the young
// generation fill and the scavenges run), and writes <pid>.heapprofile to $ALLOC_PROFILE_DIR, to
// open in Chrome DevTools (Memory → Load). Start-up shows under loadCatalog / loadRetrieval.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.ALLOC_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    // In-process inspector sessions answer synchronously, so this works inside 'exit'.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
