import { useEffect, useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { AppStatusEntry, OpsSnapshot } from '@manga-assist/contracts';
import { TimeChart } from './chart';
import { openFeed } from './feed';
import type { FeedState } from './feed';
import { LATENCY_SERIES, RATE_SERIES, addToHistory, answerMix, budgetWarnings, formatMs, formatShare } from './ops-view';
import type { History } from './ops-view';
import { forgetToken, saveToken, takeToken } from './token';

const COLORS = ['#1e7d45', '#7fb069', '#c28a00', '#3b6fb6', '#8a5cc2', '#b3261e'];

export function OpsApp() {
  const [token, setToken] = useState<string | null>(() => takeToken(sessionStorage, location, () => history.replaceState(null, '', location.pathname)));
  const [refused, setRefused] = useState(false);
  const [feed, setFeed] = useState<FeedState>({ state: 'connecting' });
  const [snapshot, setSnapshot] = useState<OpsSnapshot | null>(null);
  const [chartHistory, setChartHistory] = useState<History>({ t: [], series: {} });

  useEffect(() => {
    if (!token) return;
    let previous: OpsSnapshot | null = null;
    return openFeed(
      token,
      (next) => {
        setChartHistory((h) => addToHistory(h, previous, next));
        previous = next;
        setSnapshot(next);
      },
      (state) => {
        setFeed(state);
        if (state.state === 'unauthorized') {
          forgetToken(sessionStorage);
          setRefused(true);
          setToken(null);
        }
      },
    );
  }, [token]);

  if (!token) {
    return (
      <SignIn
        refused={refused}
        onToken={(t) => {
          saveToken(sessionStorage, t);
          setRefused(false);
          setToken(t);
        }}
      />
    );
  }
  return (
    <div class="ops">
      <header class="topbar">
        <h1>MangaAssist operations</h1>
        <FeedBadge feed={feed} at={snapshot?.at} />
        <button
          type="button"
          class="link"
          onClick={() => {
            forgetToken(sessionStorage);
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      {snapshot ? <Dashboard snapshot={snapshot} history={chartHistory} /> : <p class="loading">Waiting for the first snapshot…</p>}
    </div>
  );
}

function SignIn({ refused, onToken }: { refused: boolean; onToken(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="signin"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <h1>MangaAssist operations</h1>
      <p>
        The dashboard needs the control token (<code>CONTROL_TOKEN</code>; <code>npm start</code> writes it to <code>.data/control-token</code>), or an
        admin’s sign-in token (locally: <code>npm run -s token -- you --admin</code>). It is kept in this tab only.
      </p>
      {refused && (
        <p class="bad" role="alert">
          That token was not accepted.
        </p>
      )}
      <label>
        Control token
        <input type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Open the dashboard</button>
    </form>
  );
}

function FeedBadge({ feed, at }: { feed: FeedState; at?: string }) {
  const words =
    feed.state === 'live'
      ? `live · ${at ? new Date(at).toLocaleTimeString() : ''}`
      : feed.state === 'retrying'
        ? `reconnecting in ${Math.ceil(feed.inMs / 1000)} s (${feed.why})`
        : feed.state;
  return (
    <span class={`feed ${feed.state}`} data-state={feed.state}>
      {words}
    </span>
  );
}

function Dashboard({ snapshot, history }: { snapshot: OpsSnapshot; history: History }) {
  const rates = useMemo<uPlot.AlignedData>(() => [history.t, ...RATE_SERIES.map((n) => history.series[`rate:${n}`] ?? [])], [history]);
  const latencies = useMemo<uPlot.AlignedData>(() => [history.t, ...LATENCY_SERIES.map((n) => history.series[`p95:${n}`] ?? [])], [history]);
  return (
    <main class="grid">
      <Apps apps={snapshot.apps} ready={snapshot.ready} />
      <Answers snapshot={snapshot} />
      <section class="panel wide">
        <TimeChart title="Answers per second" unit="per s" data={rates} series={RATE_SERIES.map((label, i) => ({ label, color: COLORS[i] ?? '#333' }))} />
      </section>
      <Waterfall snapshot={snapshot} />
      <section class="panel wide">
        <TimeChart title="p95 per segment" unit="ms" data={latencies} series={LATENCY_SERIES.map((label, i) => ({ label, color: COLORS[i] ?? '#333' }))} />
      </section>
      <Breakers snapshot={snapshot} />
      <Pools snapshot={snapshot} />
      <Queues snapshot={snapshot} />
      <Tasks snapshot={snapshot} />
      <Probes snapshot={snapshot} />
      {snapshot.errors.length > 0 && (
        <section class="panel wide">
          <h2>Not shown</h2>
          <ul class="warnings">
            {snapshot.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

function Apps({ apps, ready }: { apps: AppStatusEntry[]; ready: boolean }) {
  return (
    <section class="panel wide" data-panel="apps">
      <h2>
        Apps <span class={ready ? 'ok' : 'bad'}>{ready ? 'all ready' : 'not all ready'}</span>
      </h2>
      <div class="apps">
        {apps.map((a) => (
          <div class={`app ${a.status?.ready ? 'ready' : 'down'}`} key={a.app} data-app={a.app}>
            <strong>{a.app}</strong>
            <span class={a.status?.ready ? 'ok' : 'bad'}>{a.reachable ? (a.status?.ready ? 'ready' : `not ready: ${a.status?.reason ?? ''}`) : `unreachable: ${a.error ?? ''}`}</span>
            {(a.status?.degraded ?? []).map((d) => (
              <span class="warn" key={d}>
                degraded: {d}
              </span>
            ))}
            {a.status && <span class="muted">up {Math.round(a.status.uptimeSeconds)} s</span>}
          </div>
        ))}
      </div>
    </section>
  );
}

function Answers({ snapshot }: { snapshot: OpsSnapshot }) {
  const a = snapshot.answers;
  const mix = answerMix(a);
  const cells: [string, string, string][] = [
    ['answered', String(mix.answered), 'answered'],
    ['from cache', formatShare(mix.cacheShare), 'cache-share'],
    ['exact hits', String(a.exact), 'exact'],
    ['semantic hits', String(a.semantic), 'semantic'],
    ['pre-computed hits', String(a.precomputed), 'precomputed'],
    ['Haiku', String(a.haiku), 'haiku'],
    ['Sonnet', String(a.sonnet), 'sonnet'],
    ['Haiku / Sonnet', mix.haikuShare === null ? '—' : `${Math.round(mix.haikuShare * 100)} / ${Math.round((1 - mix.haikuShare) * 100)} %`, 'split'],
    ['error ratio', formatShare(mix.errorRatio), 'error-ratio'],
  ];
  return (
    <section class="panel wide" data-panel="answers">
      <h2>Answers since the gateway started</h2>
      <div class="stats">
        {cells.map(([label, value, key]) => (
          <div class="stat" key={key} data-stat={key}>
            <span class="value">{value}</span>
            <span class="label">{label}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

function Waterfall({ snapshot }: { snapshot: OpsSnapshot }) {
  const { profile } = snapshot;
  const warnings = budgetWarnings(profile);
  const bottleneck = profile.bottleneck.owned?.segment;
  return (
    <section class="panel wide" data-panel="waterfall">
      <h2>
        Request waterfall <span class="muted">({profile.requests} requests in the last {Math.round(profile.windowMs / 1000)} s)</span>
      </h2>
      <p>
        Bottleneck (ours): <strong data-bottleneck>{bottleneck ?? '—'}</strong>
        {profile.bottleneck.overall && (
          <span class="muted">
            {' '}
            · slowest overall: {profile.bottleneck.overall.segment} ({formatMs(profile.bottleneck.overall.p95)} p95)
          </span>
        )}
      </p>
      {warnings.length > 0 && (
        <ul class="warnings" data-warnings>
          {warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
      <table>
        <thead>
          <tr>
            <th>segment</th>
            <th class="num">count</th>
            <th class="num">p50</th>
            <th class="num">p95</th>
            <th class="num">p99</th>
            <th class="num">budget</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(profile.segments).map(([name, s]) => (
            <tr key={name} class={`${s.state === 'over' ? 'over' : ''} ${name === bottleneck ? 'bottleneck' : ''}`} data-segment={name}>
              <th scope="row">{name}</th>
              <td class="num">{s.count}</td>
              <td class="num">{formatMs(s.p50)}</td>
              <td class="num">{formatMs(s.p95)}</td>
              <td class="num">{formatMs(s.p99)}</td>
              <td class="num">{formatMs(s.budgetMs)}</td>
              <td class={s.state === 'over' ? 'bad' : s.state === 'ok' ? 'ok' : 'muted'}>
                {s.state === 'over' ? `${Math.round((s.overBy ?? 0) * 100)} % over` : s.state === 'ok' ? 'within' : 'no budget'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Breakers({ snapshot }: { snapshot: OpsSnapshot }) {
  return (
    <section class="panel" data-panel="breakers">
      <h2>Breakers and bulkheads</h2>
      <table>
        <thead>
          <tr>
            <th>downstream</th>
            <th>breaker</th>
            <th class="num">in use</th>
            <th class="num">queued</th>
            <th class="num">failures</th>
            <th class="num">transitions</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.downstreams.map((d) => (
            <tr key={d.downstream} data-downstream={d.downstream}>
              <th scope="row">{d.downstream}</th>
              <td>
                <span class={`badge breaker ${d.breaker}`} data-breaker={d.breaker}>
                  {d.breaker}
                </span>
              </td>
              <td class="num">
                {d.executing}/{d.limit}
              </td>
              <td class="num">
                {d.queued}/{d.queueLimit}
              </td>
              <td class="num">{d.recentFailures}</td>
              <td class="num">{d.transitions}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Pools({ snapshot }: { snapshot: OpsSnapshot }) {
  return (
    <section class="panel" data-panel="pools">
      <h2>Connection pools</h2>
      <table>
        <thead>
          <tr>
            <th>pool</th>
            <th class="num">in use</th>
            <th class="num">idle</th>
            <th class="num">waiting</th>
            <th class="num">checkout wait</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.pools.map((p) => (
            <tr key={p.pool}>
              <th scope="row">{p.pool}</th>
              <td class="num">{p.inUse}</td>
              <td class="num">{p.idle}</td>
              <td class="num">{p.queued}</td>
              <td class="num">{formatMs(p.checkoutWaitMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Queues({ snapshot }: { snapshot: OpsSnapshot }) {
  return (
    <section class="panel" data-panel="queues">
      <h2>
        Queues{' '}
        <a href={snapshot.queueBoardUrl} target="_blank" rel="noreferrer">
          queue UI ↗
        </a>
      </h2>
      {snapshot.queues === null ? (
        <p class="bad">Queue depths could not be read.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>queue</th>
              <th class="num">waiting</th>
              <th class="num">active</th>
              <th class="num">failed</th>
              <th class="num">dead letters</th>
              <th class="num">done</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.queues.map((q) => (
              <tr key={q.queue} data-queue={q.queue}>
                <th scope="row">{q.queue}</th>
                <td class="num">{q.waiting}</td>
                <td class="num">{q.active}</td>
                <td class={q.failed > 0 ? 'num warn' : 'num'}>{q.failed}</td>
                <td class={q.deadLetters > 0 ? 'num bad' : 'num'}>{q.deadLetters}</td>
                <td class="num" data-completed>
                  {q.completed}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function Tasks({ snapshot }: { snapshot: OpsSnapshot }) {
  return (
    <section class="panel" data-panel="tasks">
      <h2>Scheduler tasks</h2>
      {snapshot.tasks === null ? (
        <p class="bad">The scheduler did not answer.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>task</th>
              <th>last run</th>
              <th class="num">took</th>
              <th class="num">entries</th>
              <th>next run</th>
              <th>last error</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.tasks.map((t) => (
              <tr key={t.name}>
                <th scope="row">{t.name}</th>
                <td>{t.running ? 'running…' : time(t.lastStart)}</td>
                <td class="num">{formatMs(t.lastDurationMs)}</td>
                <td class="num">{t.lastEntries ?? '—'}</td>
                <td>{time(t.nextRun)}</td>
                <td class={t.lastError ? 'bad' : ''}>{t.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Probes({ snapshot }: { snapshot: OpsSnapshot }) {
  return (
    <section class="panel wide" data-panel="probes">
      <h2>Endpoint probes (health-checker)</h2>
      {snapshot.probes === null ? (
        <p class="bad">The health-checker did not answer.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>endpoint</th>
              <th>verdict</th>
              <th class="num">DNS</th>
              <th class="num">TCP</th>
              <th class="num">TLS</th>
              <th>private IP</th>
              <th>notes</th>
              <th>transitions</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.probes.map((p) => (
              <tr key={p.endpoint} data-endpoint={p.endpoint}>
                <th scope="row">{p.endpoint}</th>
                <td class={p.status === 'healthy' ? 'ok' : p.status === 'degraded' ? 'warn' : 'bad'}>{p.status}</td>
                <td class="num">{formatMs(p.dns.ms)}</td>
                <td class="num">{formatMs(p.tcp?.ms)}</td>
                <td class="num">{p.tls ? formatMs(p.tls.ms) : 'no TLS'}</td>
                <td>{p.allPrivate === null ? '—' : p.allPrivate ? '✓' : '✗'}</td>
                <td class="small">{p.notes.join('; ') || '—'}</td>
                <td class="small">
                  {p.transitions.slice(0, 3).map((t) => (
                    <div key={t.at}>
                      {time(t.at)} {t.from ?? 'start'} → {t.to}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
