/**
 * Azure Health Bot scenario files: parse an export (its `code` is a JSON string), check every step
 * against its type's schema and the graph (duplicate ids, dangling targets, loops without a prompt,
 * scenarios named but not present), and write the export back. Pure: no I/O.
 *
 * We keep the `code` object exactly as it came (fields we do not interpret included) and validate a
 * parsed copy for the engine, so an export round-trips to what was imported.
 */
import {
  STEP_TYPES,
  scenarioCodeSchema,
  scenarioStepSchema,
  type ScenarioCode,
  type ScenarioExport,
  type ScenarioProblem,
  type ScenarioStep,
} from '../contracts/bot.js';

export interface CheckedCode {
  /** The validated steps (defaults applied) for the engine; undefined when there are errors. */
  code?: ScenarioCode;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
}

const KNOWN_TYPES = new Set<string>(STEP_TYPES);
/** Steps that wait for the patient: a loop through one of them is a conversation, not a runaway. */
const INPUT_STEPS = new Set<string>(['prompt', 'yesno']);

/** Reads an export's `code` string. */
export function parseCodeText(text: string): { value?: unknown; error?: ScenarioProblem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: { stepId: null, field: 'code', message: `code is not valid JSON: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** Where each step may go next, with the field that says so. */
export function stepTargets(step: ScenarioStep): { field: string; target: string }[] {
  const out: { field: string; target: string }[] = [];
  if (step.designer.next) out.push({ field: 'designer.next', target: step.designer.next });
  switch (step.type) {
    case 'branch':
    case 'redFlag':
      out.push({ field: 'targetStepId', target: step.targetStepId });
      break;
    case 'switch':
      step.cases.forEach((c, i) => out.push({ field: `cases.${i}.targetStepId`, target: c.targetStepId }));
      break;
    case 'prompt':
      if (step.retryFailedStepId) out.push({ field: 'retryFailedStepId', target: step.retryFailedStepId });
      break;
    case 'dataConnection':
      if (step.errorStepId) out.push({ field: 'errorStepId', target: step.errorStepId });
      break;
    default:
      break;
  }
  return out;
}

/**
 * Checks a `code` object. `scenarioExists(trigger)` says whether a beginScenario/replaceScenario
 * target is known (a missing one is a warning: it may be imported later). `loopsAreErrors`: at publish,
 * a loop that passes no prompt is an error; on a draft, a warning.
 */
export function checkScenarioCode(raw: unknown, options: { scenarioExists: (trigger: string) => boolean; loopsAreErrors: boolean }): CheckedCode {
  const errors: ScenarioProblem[] = [];
  const warnings: ScenarioProblem[] = [];
  const shape = scenarioCodeSchema.safeParse(raw);
  if (!shape.success) {
    for (const issue of shape.error.issues) errors.push({ stepId: null, field: issue.path.map(String).join('.') || 'code', message: issue.message });
    return { errors, warnings };
  }
  const steps: ScenarioStep[] = [];
  const seen = new Set<string>();
  shape.data.steps.forEach((candidate, index) => {
    const where = `steps.${index}`;
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      errors.push({ stepId: null, field: where, message: `Step ${index} is not an object.` });
      return;
    }
    const { id, type } = candidate as { id?: unknown; type?: unknown };
    const stepId = typeof id === 'string' && id !== '' ? id : null;
    if (stepId === null) {
      errors.push({ stepId: null, field: `${where}.id`, message: `Step ${index} has no id.` });
      return;
    }
    if (seen.has(stepId)) errors.push({ stepId, field: 'id', message: `Duplicate step id "${stepId}".` });
    seen.add(stepId);
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
      errors.push({ stepId, field: 'type', message: `Step "${stepId}" has an unknown type ${JSON.stringify(type)}: expected one of ${STEP_TYPES.join(', ')}.` });
      return;
    }
    const parsed = scenarioStepSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ stepId, field: issue.path.map(String).join('.') || 'step', message: `Step "${stepId}" (${type}): ${issue.path.map(String).join('.') || 'step'}: ${issue.message}` });
      }
      return;
    }
    steps.push(parsed.data);
  });
  if (errors.length > 0) return { errors, warnings };

  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const step of steps) {
    for (const { field, target } of stepTargets(step)) {
      if (!byId.has(target)) errors.push({ stepId: step.id, field, message: `Step "${step.id}": ${field} names a step that does not exist ("${target}").` });
    }
    if ((step.type === 'beginScenario' || step.type === 'replaceScenario') && !options.scenarioExists(step.scenario)) {
      warnings.push({ stepId: step.id, field: 'scenario', message: `Step "${step.id}" (${step.type}) names scenario "${step.scenario}", which is not present: reaching it ends the conversation's scenario with a notice.` });
    }
  }
  if (errors.length > 0) return { errors, warnings };

  for (const loop of loopsWithoutInput(steps, byId)) {
    const problem = {
      stepId: loop[0]!,
      field: 'designer.next',
      message: `Steps ${loop.map((s) => `"${s}"`).join(' → ')} form a loop that asks the patient nothing: it could run forever.`,
    };
    (options.loopsAreErrors ? errors : warnings).push(problem);
  }
  const reachable = reachableFrom(steps[0]!.id, byId);
  const unreachable = steps.filter((s) => !reachable.has(s.id)).map((s) => s.id);
  if (unreachable.length > 0) {
    warnings.push({ stepId: unreachable[0]!, field: null, message: `${unreachable.length} step(s) can never be reached from the first step (e.g. "${unreachable[0]}").` });
  }
  if (errors.length > 0) return { errors, warnings };
  const { steps: _raw, ...rest } = shape.data;
  return { code: { ...rest, steps }, errors, warnings };
}

function reachableFrom(start: string, byId: Map<string, ScenarioStep>): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const step = byId.get(queue.pop()!);
    if (!step) continue;
    for (const { target } of stepTargets(step)) {
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

/** Strongly connected components (Tarjan, iterative) that form a cycle and contain no prompt. */
function loopsWithoutInput(steps: ScenarioStep[], byId: Map<string, ScenarioStep>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const edges = (id: string) => stepTargets(byId.get(id)!).map((t) => t.target);
  for (const root of steps) {
    if (index.has(root.id)) continue;
    const work: { id: string; next: number; targets: string[] }[] = [];
    const visit = (id: string) => {
      index.set(id, counter);
      low.set(id, counter);
      counter += 1;
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: 0, targets: edges(id) });
    };
    visit(root.id);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.targets.length) {
        const target = frame.targets[frame.next++]!;
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const cyclic = component.length > 1 || edges(frame.id).includes(frame.id);
        if (cyclic && !component.some((id) => INPUT_STEPS.has(byId.get(id)!.type))) out.push(component.reverse());
      }
    }
  }
  return out;
}

/** The export fields we store beside the code, so export writes them back as they came. */
export interface ExportMeta {
  id: string;
  name: string;
  trigger: string;
  description: string;
  active: boolean;
  updated: string;
  userDisplayName: string | undefined;
  /** Export fields we do not interpret, kept for the round trip. */
  extra: Record<string, unknown>;
}

const EXPORT_FIELDS = new Set(['name', 'id', 'scenario_trigger', 'description', 'active', 'updated', 'userDisplayName', 'code', 'strings', 'publish']);

export function extraExportFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !EXPORT_FIELDS.has(key)));
}

/** The export Azure Health Bot would write: `code` as a JSON string. */
export function toExport(meta: ExportMeta, rawCode: unknown): ScenarioExport {
  return {
    name: meta.name,
    id: meta.id,
    scenario_trigger: meta.trigger,
    description: meta.description,
    active: meta.active,
    updated: meta.updated,
    ...(meta.userDisplayName !== undefined ? { userDisplayName: meta.userDisplayName } : {}),
    ...meta.extra,
    code: JSON.stringify(rawCode),
  };
}
