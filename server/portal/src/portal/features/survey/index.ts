/** The follow-up survey page that survey links open (/survey/<token>). */
export { SurveyPage } from './SurveyPage.js';
