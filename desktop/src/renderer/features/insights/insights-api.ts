/**
 * The insights endpoints (REST, supervisors and admins): the report over a date range, the live
 * picture, the agents to filter by, and the CSV download of the same report.
 */
import type { Dispatch } from '@reduxjs/toolkit';
import type { AgentListResponse, AgentSummary, InsightGroupBy, InsightsLive, InsightsReport } from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';
import { authorizedFetch, saveBlob } from '../../common/transcript/files.js';
import type { SessionState } from '../../app/session/session-slice.js';

export interface ReportArgs {
  from: string;
  to: string;
  groupBy: InsightGroupBy;
  agentId?: string;
  queue?: string;
  channel?: string;
}

/** The query string of a report (empty filters left out). */
export function reportQuery(args: ReportArgs): string {
  const query = new URLSearchParams({ from: args.from, to: args.to, groupBy: args.groupBy });
  if (args.agentId) query.set('agentId', args.agentId);
  if (args.queue) query.set('queue', args.queue);
  if (args.channel) query.set('channel', args.channel);
  return query.toString();
}

/** How often the live picture is fetched again while the page is open. */
export const LIVE_REFRESH_MS = 15_000;

export const insightsApi = baseApi.injectEndpoints({
  endpoints: (build) => ({
    getInsightsReport: build.query<InsightsReport, ReportArgs>({
      query: (args) => `/insights/report?${reportQuery(args)}`,
      keepUnusedDataFor: 60,
    }),
    getInsightsLive: build.query<InsightsLive, void>({
      query: () => '/insights/live',
      keepUnusedDataFor: 0,
    }),
    getInsightsAgents: build.query<AgentSummary[], void>({
      query: () => '/conversations/agents',
      transformResponse: (body: AgentListResponse) => body.items,
      keepUnusedDataFor: 300,
    }),
  }),
});

export const { useGetInsightsReportQuery, useGetInsightsLiveQuery, useGetInsightsAgentsQuery } = insightsApi;

/** Downloads `report.csv` for these arguments; resolves with an error sentence, or null when saved. */
export function downloadReportCsv(args: ReportArgs) {
  return async (dispatch: Dispatch, getState: () => { session: SessionState }): Promise<string | null> => {
    try {
      const res = await authorizedFetch(dispatch, getState, `/api/insights/report.csv?${reportQuery(args)}`);
      if (!res.ok) return `The CSV could not be exported (HTTP ${res.status}).`;
      saveBlob(await res.blob(), `insights-${args.from}-to-${args.to}-by-${args.groupBy}.csv`);
      return null;
    } catch {
      return 'The CSV could not be exported: the server cannot be reached.';
    }
  };
}

/** The error sentence of a failed insights request. */
export function insightsErrorText(error: unknown): string | null {
  if (!error) return null;
  const e = error as { status?: unknown; data?: { error?: { message?: unknown } } };
  if (typeof e.data?.error?.message === 'string') return e.data.error.message;
  if (e.status === 'FETCH_ERROR') return 'The server cannot be reached.';
  return `The request failed (${String(e.status ?? 'unknown')}).`;
}
