/**
 * The agent-scripts domain's public door: the guided scripts agents follow in a conversation. At
 * start the YAML files of `agent-scripts/` are imported (a changed file becomes the published
 * version; one that fails validation is logged and the version in force stays); supervisors edit
 * drafts, publish and roll back in the desk; each conversation has a run (answers and steps done).
 * The composition root hands `api.assertMayClose` to the conversations module as a close guard.
 */
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { registerAgentScriptRoutes } from './routes.js';
import { AgentScriptsService, type AgentScriptsDeps } from './service.js';

export { AgentScriptsService, factsOf, type AgentScriptsDeps, type ImportReport, type ScriptConversations } from './service.js';
export { parseScript, formatScriptError } from './loader.js';

/** `{{clinic.name}}` until the clinic configures its own. */
export const DEFAULT_CLINIC_NAME = 'Carebridge Health Network';

export type AgentScriptsModule = DomainModule & { api: AgentScriptsService };

export function createAgentScriptsModule(deps: AgentScriptsDeps & { openapi: OpenApiRegistry }): AgentScriptsModule {
  const service = new AgentScriptsService(deps);
  return {
    name: 'agent-scripts',
    api: service,
    routes: (api) => registerAgentScriptRoutes(api, { openapi: deps.openapi, scripts: service }),
    start: () => {
      service.importFiles();
    },
  };
}
