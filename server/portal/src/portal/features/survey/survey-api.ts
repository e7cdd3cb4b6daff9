/** A follow-up survey by its link's token: read it, answer it (no sign-in: the token is the credential). */
import type { SurveyAnswers, SurveyByTokenResponse } from '../../../../../src/contracts/surveys.js';
import { baseApi } from '../../api/base-api.js';

const surveyPath = (token: string) => `/surveys/by-token/${encodeURIComponent(token)}`;

export const surveyApi = baseApi.injectEndpoints({
  endpoints: (build) => ({
    surveyByToken: build.query<SurveyByTokenResponse, string>({
      query: (token) => ({ url: surveyPath(token), cache: 'no-store' }),
      extraOptions: { anonymous: true },
      keepUnusedDataFor: 0,
    }),
    answerSurvey: build.mutation<unknown, { token: string; answers: SurveyAnswers }>({
      query: ({ token, answers }) => ({ url: surveyPath(token), method: 'POST', body: { answers } }),
      extraOptions: { anonymous: true },
    }),
  }),
});

export const { useSurveyByTokenQuery, useAnswerSurveyMutation } = surveyApi;
