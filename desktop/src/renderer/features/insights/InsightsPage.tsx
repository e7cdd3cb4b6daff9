/**
 * The Insights workspace (supervisors and admins): the live picture (queues with today's service
 * level, agents with today's handle time, the sentiment of open conversations) and the report over a
 * date range — presets today / 7 / 30 / 90 days or any range, grouped by day, agent, queue or
 * channel, filtered by agent, queue and channel — as echarts charts per day and a table with the
 * same figures, and the CSV export of that table. Every figure comes from the server's event log.
 */
import { useId, useMemo, useState, type ReactNode } from 'react';
import { INSIGHT_COLUMNS, INSIGHT_GROUP_BYS, type InsightGroupBy, type InsightMetrics, type InsightsLive, type InsightsReport } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { InlineError } from '../../common/InlineError.js';
import { Chart, type ChartSeries } from './Chart.js';
import { formatFigure, percent, seconds, seriesSummary } from './format.js';
import {
  LIVE_REFRESH_MS,
  downloadReportCsv,
  insightsErrorText,
  useGetInsightsAgentsQuery,
  useGetInsightsLiveQuery,
  useGetInsightsReportQuery,
  type ReportArgs,
} from './insights-api.js';

const PRESETS = [
  { id: 'today', label: 'Today', days: 1 },
  { id: '7', label: '7 days', days: 7 },
  { id: '30', label: '30 days', days: 30 },
  { id: '90', label: '90 days', days: 90 },
] as const;
type Preset = (typeof PRESETS)[number]['id'] | 'custom';

const GROUP_LABELS: Record<InsightGroupBy, string> = { day: 'Day', agent: 'Agent', queue: 'Queue', channel: 'Channel' };
const CHANNELS = [
  { id: 'portal', label: 'Portal' },
  { id: 'widget', label: 'Website widget' },
  { id: 'api', label: 'Channel API (SMS, IVR…)' },
];
const PRESENCE: Record<string, string> = { available: 'Available', busy: 'Busy', away: 'Away', offline: 'Offline' };
/** The table's columns (the CSV has every one of `INSIGHT_COLUMNS`). */
const TABLE_COLUMNS = [
  'conversations',
  'handed_off',
  'containment_rate',
  'abandonment_rate',
  'transfers',
  'first_response_median_ms',
  'first_response_p90_ms',
  'first_response_mean_ms',
  'handle_time_median_ms',
  'handle_time_p90_ms',
  'service_level_60s',
  'csat_satisfied_share',
  'nps',
  'sentiment_mean_scale',
  'assist_acceptance',
].map((id) => INSIGHT_COLUMNS.find((c) => c.id === id)!);

const localToday = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export default function InsightsPage() {
  const live = useGetInsightsLiveQuery(undefined, { pollingInterval: LIVE_REFRESH_MS, refetchOnMountOrArgChange: true });
  const today = live.data?.today ?? localToday();
  const [preset, setPreset] = useState<Preset>('7');
  const [custom, setCustom] = useState<{ from: string; to: string }>({ from: addDays(today, -6), to: today });
  const [groupBy, setGroupBy] = useState<InsightGroupBy>('day');
  const [filters, setFilters] = useState<{ agentId: string; queue: string; channel: string }>({ agentId: '', queue: '', channel: '' });
  const ids = { from: useId(), to: useId(), groupBy: useId(), agent: useId(), queue: useId(), channel: useId() };
  const range = preset === 'custom' ? custom : { from: addDays(today, -(PRESETS.find((p) => p.id === preset)!.days - 1)), to: today };
  const rangeProblem = range.from > range.to ? 'The start date is after the end date.' : null;
  const args: ReportArgs = {
    ...range,
    groupBy,
    ...(filters.agentId ? { agentId: filters.agentId } : {}),
    ...(filters.queue ? { queue: filters.queue } : {}),
    ...(filters.channel ? { channel: filters.channel } : {}),
  };
  const trend = useGetInsightsReportQuery({ ...args, groupBy: 'day' }, { skip: rangeProblem !== null });
  const grouped = useGetInsightsReportQuery(args, { skip: rangeProblem !== null || groupBy === 'day' });
  const table = groupBy === 'day' ? trend : grouped;
  const { data: agents } = useGetInsightsAgentsQuery();
  const dispatch = useAppDispatch();
  const [exportState, setExportState] = useState<{ busy: boolean; error: string | null; done: string | null }>({ busy: false, error: null, done: null });

  const exportCsv = async () => {
    setExportState({ busy: true, error: null, done: null });
    const error = await dispatch(downloadReportCsv(args));
    setExportState({ busy: false, error, done: error ? null : `Exported the report from ${args.from} to ${args.to} by ${GROUP_LABELS[groupBy].toLowerCase()} as CSV.` });
  };

  const reportError = insightsErrorText(trend.error ?? table.error);
  const empty = trend.data !== undefined && isEmpty(trend.data.totals);
  return (
    <section className="workspace insights" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Insights</h1>
        <p className="muted">Live queues and agents, and reports over any range, computed from the stored event log{live.data ? ` (clinic day ${today})` : ''}.</p>
      </header>

      <LivePanel live={live.data} loading={live.isLoading} error={insightsErrorText(live.error)} />

      <form className="insights-filters card" aria-label="Report range and filters" onSubmit={(e) => e.preventDefault()}>
        <div role="group" aria-label="Date range" className="insights-presets">
          {PRESETS.map((p) => (
            <button key={p.id} type="button" className={`button small${preset === p.id ? ' primary' : ''}`} aria-pressed={preset === p.id} onClick={() => setPreset(p.id)}>
              {p.label}
            </button>
          ))}
        </div>
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input
            id={ids.from}
            type="date"
            className="input"
            value={range.from}
            max={range.to}
            onChange={(e) => {
              setCustom({ ...range, from: e.target.value });
              setPreset('custom');
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input
            id={ids.to}
            type="date"
            className="input"
            value={range.to}
            min={range.from}
            onChange={(e) => {
              setCustom({ ...range, to: e.target.value });
              setPreset('custom');
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.groupBy}>Group by</label>
          <select id={ids.groupBy} className="input" value={groupBy} onChange={(e) => setGroupBy(e.target.value as InsightGroupBy)}>
            {INSIGHT_GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {GROUP_LABELS[g]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.agent}>Agent</label>
          <select id={ids.agent} className="input" value={filters.agentId} onChange={(e) => setFilters({ ...filters, agentId: e.target.value })}>
            <option value="">All agents</option>
            {(agents ?? []).map((a) => (
              <option key={a.userId} value={a.userId}>
                {a.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.queue}>Queue</label>
          <select id={ids.queue} className="input" value={filters.queue} onChange={(e) => setFilters({ ...filters, queue: e.target.value })}>
            <option value="">All queues</option>
            {(live.data?.queues ?? []).map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.channel}>Channel</label>
          <select id={ids.channel} className="input" value={filters.channel} onChange={(e) => setFilters({ ...filters, channel: e.target.value })}>
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="insights-export">
          <button type="button" className="button primary" onClick={() => void exportCsv()} disabled={exportState.busy || rangeProblem !== null}>
            Export CSV
          </button>
        </div>
      </form>
      <InlineError message={rangeProblem ?? reportError ?? exportState.error} />
      <p className="visually-hidden" role="status">
        {exportState.done ?? ''}
      </p>

      {trend.isFetching || table.isFetching ? (
        <p className="loading" role="status">
          Loading the report…
        </p>
      ) : null}
      {empty ? (
        <p className="muted card" role="status">
          No conversations from {range.from} to {range.to}
          {filters.agentId || filters.queue || filters.channel ? ' with these filters' : ''}.
        </p>
      ) : null}
      {trend.data && !empty ? (
        <>
          <Totals report={trend.data} />
          <Charts report={trend.data} />
        </>
      ) : null}
      {table.data && !empty ? <ReportTable report={table.data} /> : null}
    </section>
  );
}

function isEmpty(m: InsightMetrics): boolean {
  return m.conversations === 0 && m.accepted === 0 && m.handedOff === 0 && m.botContained === 0 && m.abandoned === 0 && m.csat.answers === 0;
}

function Totals({ report }: { report: InsightsReport }) {
  const t = report.totals;
  const tiles: [string, string][] = [
    ['Conversations', t.conversations.toLocaleString('en-US')],
    ['First response median', seconds(t.firstResponse.medianMs)],
    ['First response p90', seconds(t.firstResponse.p90Ms)],
    ['Handle time median', seconds(t.handleTime.medianMs)],
    ['Bot containment', percent(t.containmentRate)],
    ['Abandonment', percent(t.abandonmentRate)],
    ['CSAT (4–5)', percent(t.csat.satisfiedShare)],
    ['NPS', formatFigure('score', t.nps.score)],
  ];
  return (
    <section className="card" aria-labelledby="insights-totals">
      <h2 id="insights-totals">
        {report.from === report.to ? report.from : `${report.from} to ${report.to}`}
        {report.includesSynthetic ? <span className="muted small"> · includes synthetic demo history</span> : null}
      </h2>
      <dl className="insights-tiles" aria-label="Totals">
        {tiles.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Charts({ report }: { report: InsightsReport }) {
  const charts = useMemo(() => chartsOf(report), [report]);
  return (
    <section aria-label="Charts per day" className="insights-charts">
      {charts.map((c) => (
        <Chart key={c.title} title={c.title} summary={c.summary} days={c.days} series={c.series} unit={c.unit} />
      ))}
    </section>
  );
}

interface ChartSpec {
  title: string;
  unit: string;
  days: string[];
  series: ChartSeries[];
  summary: string;
}

/** The charts of a per-day report, each with a spoken summary of its series. */
export function chartsOf(report: InsightsReport): ChartSpec[] {
  const days = report.groups.map((g) => g.key);
  const pick = (f: (g: InsightMetrics) => number | null) => report.groups.map(f);
  const toSeconds = (v: number | null) => (v === null ? null : Math.round(v / 100) / 10);
  const toMinutes = (v: number | null) => (v === null ? null : Math.round(v / 6000) / 10);
  const toPercent = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const spec = (title: string, unit: string, series: ChartSeries[], format: (v: number) => string): ChartSpec => ({
    title,
    unit,
    days,
    series,
    summary: `${title}, ${days[0]} to ${days[days.length - 1]}. ${series.map((s) => seriesSummary(s.name, s.values, format)).join('; ')}.`,
  });
  return [
    spec('Volume per day', 'chats', [
      { name: 'Conversations', type: 'bar', values: pick((g) => g.conversations) },
      { name: 'Handed off', type: 'line', values: pick((g) => g.handedOff) },
    ], (v) => `${v}`),
    spec('First response time', 's', [
      { name: 'Median', type: 'line', values: pick((g) => toSeconds(g.firstResponse.medianMs)) },
      { name: 'p90', type: 'line', values: pick((g) => toSeconds(g.firstResponse.p90Ms)) },
    ], (v) => `${v} s`),
    spec('Handle time', 'min', [
      { name: 'Median', type: 'line', values: pick((g) => toMinutes(g.handleTime.medianMs)) },
      { name: 'p90', type: 'line', values: pick((g) => toMinutes(g.handleTime.p90Ms)) },
    ], (v) => `${v} min`),
    spec('Bot containment and hand-off', '%', [
      { name: 'Contained', type: 'line', values: pick((g) => toPercent(g.containmentRate)) },
      { name: 'Handed off', type: 'line', values: pick((g) => toPercent(g.handoffRate)) },
    ], (v) => `${v} %`),
    spec('CSAT and NPS', '% / NPS', [
      { name: 'CSAT 4–5 (%)', type: 'line', values: pick((g) => toPercent(g.csat.satisfiedShare)) },
      { name: 'NPS', type: 'line', values: pick((g) => g.nps.score) },
    ], (v) => `${v}`),
    spec('Sentiment trend', 'scale −3…+3', [{ name: 'Mean conversation scale', type: 'line', values: pick((g) => g.sentiment.meanScale) }], (v) => v.toFixed(2)),
    spec('Smart-assist acceptance', '%', [{ name: 'Accepted', type: 'line', values: pick((g) => toPercent(g.assist.acceptance)) }], (v) => `${v} %`),
  ];
}

function ReportTable({ report }: { report: InsightsReport }) {
  const caption = `Report by ${GROUP_LABELS[report.groupBy].toLowerCase()}, ${report.from === report.to ? report.from : `${report.from} to ${report.to}`}`;
  const rows = report.groupBy === 'day' ? [...report.groups].reverse() : report.groups;
  return (
    <section className="card" aria-labelledby="insights-table-title">
      <h2 id="insights-table-title">Figures</h2>
      <p className="muted small">Durations in seconds, shares in percent; the CSV has every column, durations in milliseconds.</p>
      <div className="insights-table-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table className="data-table insights-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{GROUP_LABELS[report.groupBy]}</th>
              {TABLE_COLUMNS.map((c) => (
                <th key={c.id} scope="col">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Row label="Total" metrics={report.totals} total />
            {rows.map((g) => (
              <Row key={g.key} label={g.label} metrics={g} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Row({ label, metrics, total = false }: { label: string; metrics: InsightMetrics; total?: boolean }) {
  return (
    <tr className={total ? 'total' : undefined}>
      <th scope="row">{label}</th>
      {TABLE_COLUMNS.map((c) => (
        <td key={c.id} className="tabular">
          {formatFigure(c.unit, c.get(metrics))}
        </td>
      ))}
    </tr>
  );
}

function LivePanel({ live, loading, error }: { live: InsightsLive | undefined; loading: boolean; error: string | null }) {
  let body: ReactNode = null;
  if (loading) body = <p className="loading" role="status">Loading the live picture…</p>;
  else if (live) {
    body = (
      <div className="insights-live">
        <div className="insights-table-scroll" role="region" aria-label="Queues now" tabIndex={0}>
          <table className="data-table">
            <caption>Queues now (service level: waits answered within)</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Waiting</th>
                <th scope="col">Longest wait</th>
                <th scope="col">Within 30 s today</th>
                <th scope="col">Within 60 s</th>
                <th scope="col">Within 120 s</th>
                <th scope="col">Answered today</th>
                <th scope="col">Abandoned today</th>
              </tr>
            </thead>
            <tbody>
              {live.queues.map((q) => (
                <tr key={q.id}>
                  <th scope="row">{q.name}</th>
                  <td className="tabular">{q.waiting}</td>
                  <td className="tabular">{seconds(q.longestWaitMs)}</td>
                  <td className="tabular">{percent(q.serviceLevel.s30)}</td>
                  <td className="tabular">{percent(q.serviceLevel.s60)}</td>
                  <td className="tabular">{percent(q.serviceLevel.s120)}</td>
                  <td className="tabular">{q.answeredToday}</td>
                  <td className="tabular">{q.abandonedToday}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="insights-table-scroll" role="region" aria-label="Agents now" tabIndex={0}>
          <table className="data-table">
            <caption>Agents now</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Presence</th>
                <th scope="col">Load</th>
                <th scope="col">Handle time today (median)</th>
              </tr>
            </thead>
            <tbody>
              {live.agents.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No agent is signed in.
                  </td>
                </tr>
              ) : null}
              {live.agents.map((a) => (
                <tr key={a.userId}>
                  <th scope="row">{a.displayName}</th>
                  <td>{PRESENCE[a.presence] ?? a.presence}</td>
                  <td className="tabular">
                    {a.load} of {a.capacity}
                  </td>
                  <td className="tabular">
                    {seconds(a.handleTimeToday.medianMs)} ({a.handleTimeToday.count} closed)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          {live.conversations.open} open conversation{live.conversations.open === 1 ? '' : 's'}
          {live.conversations.sentiment
            ? `. Sentiment: ${live.conversations.sentiment.filter((b) => b.conversations > 0).map((b) => `${b.conversations} ${b.label}`).join(', ')}.`
            : '; none scored for sentiment yet.'}
        </p>
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="insights-live-title">
      <h2 id="insights-live-title">Now</h2>
      <InlineError message={error} />
      {body}
    </section>
  );
}
