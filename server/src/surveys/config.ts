/** Which survey the clinic uses: the file named by `SURVEY_CONFIG`, else the built-in default. */
import { surveyDefinitionSchema, type SurveyDefinition } from '../contracts/surveys.js';
import { loadJsonConfigFile, type Config } from '../platform/config.js';
import { DEFAULT_SURVEY } from './definition.js';

/** A missing, malformed or invalid file throws a ConfigError: one line naming `SURVEY_CONFIG`. */
export function surveyDefinitionFor(config: Pick<Config, 'SURVEY_CONFIG'>): SurveyDefinition {
  const file = config.SURVEY_CONFIG;
  return file === undefined ? DEFAULT_SURVEY : loadJsonConfigFile('SURVEY_CONFIG', file, surveyDefinitionSchema);
}
