/**
 * The host-side fast path for scenario expressions that only read data: `scenario.age >= 18`,
 * `session.language === 'es' ? "…" : "…"`, `Boolean(scenario.x && scenario.x.y)`, template texts,
 * object and array literals. Most of a scenario's expressions are like that, and opening a QuickJS
 * context for them costs far more than evaluating them (bench:bot). Anything else — a function, a
 * call other than `Boolean`/`String` and a few string methods, a regular expression, a name that
 * is not one of the scopes, an operator on mixed types, a property the data does not own — is
 * declined (`undefined`), and the caller runs the expression in the sandbox as before. So the fast
 * path never decides a semantic question JavaScript would answer differently: it either computes the
 * value the VM would, or steps aside.
 *
 * Nothing here calls code, allocates without bound (the input is the expression's own size) or
 * loops: an evaluation walks the expression's tree once.
 */
import { parse, type Node } from 'acorn';

/** The scopes an expression reads, as plain JSON-like data (what the sandbox would receive as JSON). */
export interface ExpressionScopes {
  scenario: Record<string, unknown>;
  conversation: Record<string, unknown>;
  user: Record<string, unknown>;
  global: Record<string, unknown>;
  session: Record<string, unknown>;
}

/** Why the fast path stepped aside. */
const DECLINE: unique symbol = Symbol('decline');
type Outcome = unknown;

/** `session.*` members that are functions inside the VM (see sandbox.ts SETUP). */
const SESSION_FUNCTIONS = new Set(['trace', 'logCustomEvent', 'logOutcomeEvent', 'saveFeedback']);
/** String methods that are pure, linear and take only primitive arguments. */
const STRING_METHODS = new Set(['trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'startsWith', 'endsWith', 'includes', 'indexOf', 'slice', 'substring', 'charAt']);

type Compiled = Node | null;
/** Parsed trees by the scenario's own string (kept in the scenario, so its hash is computed once). */
const compiledExpressions = new Map<string, Compiled>();
const compiledTemplates = new Map<string, Compiled>();
const MAX_CACHED = 20_000;
const MAX_SOURCE = 20_000;

function cached(cache: Map<string, Compiled>, source: string, code: () => string): Compiled {
  let tree = cache.get(source);
  if (tree === undefined) {
    tree = compile(code());
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(source, tree);
  }
  return tree;
}

function compile(code: string): Compiled {
  let tree: Compiled = null;
  if (code.length <= MAX_SOURCE) {
    try {
      const program = parse(code, { ecmaVersion: 2020, sourceType: 'script' });
      const only = program.body.length === 1 ? program.body[0] : undefined;
      if (only && only.type === 'ExpressionStatement') tree = only.expression;
    } catch {
      tree = null; // The sandbox reports the syntax error in its own words.
    }
  }
  return tree;
}

/** The value of an expression as the sandbox's `evaluate` would give it, or `undefined` when declined. */
export function evaluateNatively(expression: string, scopes: ExpressionScopes): { value: unknown } | undefined {
  return run(cached(compiledExpressions, expression, () => `(\n${expression}\n)`), scopes);
}

/** A text evaluated as a template (`Hello ${scenario.name}`), as the sandbox's `text` would, or `undefined` when declined. */
export function templateNatively(source: string, scopes: ExpressionScopes): { value: unknown } | undefined {
  if (source.includes('\r')) return undefined; // template literals normalise line ends: leave it to the VM
  return run(cached(compiledTemplates, source, () => `\`${source.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``), scopes);
}

function run(tree: Compiled, scopes: ExpressionScopes): { value: unknown } | undefined {
  if (!tree) return undefined;
  const value = evaluate(tree, scopes);
  if (value === DECLINE) return undefined;
  // The sandbox hands back copies (JSON), never the scopes' own objects.
  return { value: value !== null && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as unknown) : value };
}

function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

const isPrimitive = (v: unknown) => v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function truthy(value: unknown): boolean {
  return Boolean(value);
}

function member(object: unknown, key: unknown, isSession: boolean): Outcome {
  if (typeof key !== 'string' && typeof key !== 'number') return DECLINE;
  const name = String(key);
  if (typeof object === 'string') {
    if (name === 'length') return object.length;
    if (/^(0|[1-9]\d*)$/.test(name)) return Number(name) < object.length ? object[Number(name)] : undefined;
    return name in String.prototype ? DECLINE : undefined;
  }
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) return DECLINE;
    if (name === 'length') return object.length;
    if (Object.prototype.hasOwnProperty.call(object, name)) return object[name as unknown as number];
    return name in Array.prototype ? DECLINE : undefined;
  }
  if (!isPlainData(object)) return DECLINE; // null/undefined throw in JavaScript; numbers and booleans have methods
  if (isSession && SESSION_FUNCTIONS.has(name)) return DECLINE;
  if (Object.prototype.hasOwnProperty.call(object, name)) {
    const value = (object as Record<string, unknown>)[name];
    return isPrimitive(value) || isPlainData(value) ? value : DECLINE;
  }
  return name in Object.prototype ? DECLINE : undefined;
}

function evaluate(node: Node, scopes: ExpressionScopes): Outcome {
  switch (node.type) {
    case 'Literal': {
      const literal = node as Node & { value: unknown; regex?: unknown; bigint?: unknown };
      if (literal.regex !== undefined || literal.bigint !== undefined) return DECLINE;
      return literal.value;
    }
    case 'Identifier': {
      const name = (node as Node & { name: string }).name;
      switch (name) {
        case 'scenario':
        case 'conversation':
        case 'user':
        case 'global':
        case 'session':
          return scopes[name];
        case 'undefined':
          return undefined;
        case 'NaN':
          return NaN;
        case 'Infinity':
          return Infinity;
        default:
          return DECLINE; // a builtin, or a ReferenceError the VM words
      }
    }
    case 'ChainExpression':
      return chain((node as Node & { expression: Node }).expression, scopes, { shorted: false });
    case 'MemberExpression':
      return chain(node, scopes, { shorted: false });
    case 'ConditionalExpression': {
      const n = node as Node & { test: Node; consequent: Node; alternate: Node };
      const test = evaluate(n.test, scopes);
      if (test === DECLINE) return DECLINE;
      return evaluate(truthy(test) ? n.consequent : n.alternate, scopes);
    }
    case 'LogicalExpression': {
      const n = node as Node & { operator: string; left: Node; right: Node };
      const left = evaluate(n.left, scopes);
      if (left === DECLINE) return DECLINE;
      if (n.operator === '&&') return truthy(left) ? evaluate(n.right, scopes) : left;
      if (n.operator === '||') return truthy(left) ? left : evaluate(n.right, scopes);
      if (n.operator === '??') return left === null || left === undefined ? evaluate(n.right, scopes) : left;
      return DECLINE;
    }
    case 'UnaryExpression': {
      const n = node as Node & { operator: string; argument: Node };
      const value = evaluate(n.argument, scopes);
      if (value === DECLINE) return DECLINE;
      if (n.operator === '!') return !truthy(value);
      if (n.operator === '-' && typeof value === 'number') return -value;
      if (n.operator === '+' && typeof value === 'number') return value;
      if (n.operator === 'typeof' && (isPrimitive(value) || isPlainData(value))) return typeof value;
      return DECLINE;
    }
    case 'BinaryExpression':
      return binary(node as Node & { operator: string; left: Node; right: Node }, scopes);
    case 'CallExpression':
      return call(node as Node & { callee: Node; arguments: Node[]; optional: boolean }, scopes);
    case 'TemplateLiteral': {
      const n = node as Node & { quasis: (Node & { value: { cooked: string | null } })[]; expressions: Node[] };
      let out = '';
      for (let i = 0; i < n.quasis.length; i++) {
        const cooked = n.quasis[i]!.value.cooked;
        if (cooked === null) return DECLINE;
        out += cooked;
        const expression = n.expressions[i];
        if (expression) {
          const value = evaluate(expression, scopes);
          if (value === DECLINE || !isPrimitive(value)) return DECLINE;
          out += String(value);
        }
      }
      return out;
    }
    case 'ArrayExpression': {
      const out: unknown[] = [];
      for (const element of (node as Node & { elements: (Node | null)[] }).elements) {
        if (!element || element.type === 'SpreadElement') return DECLINE;
        const value = evaluate(element, scopes);
        if (value === DECLINE) return DECLINE;
        out.push(value);
      }
      return out;
    }
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const property of (node as Node & { properties: Node[] }).properties) {
        const p = property as Node & { kind?: string; method?: boolean; shorthand?: boolean; computed?: boolean; key: Node; value: Node };
        if (p.type !== 'Property' || p.kind !== 'init' || p.method || p.computed) return DECLINE;
        const key = p.key.type === 'Identifier' ? (p.key as Node & { name: string }).name : p.key.type === 'Literal' ? String((p.key as Node & { value: unknown }).value) : undefined;
        if (key === undefined || key === '__proto__') return DECLINE;
        const value = evaluate(p.value, scopes);
        if (value === DECLINE) return DECLINE;
        out[key] = value;
      }
      return out;
    }
    default:
      return DECLINE;
  }
}

/** Member access with optional chaining: a `?.` on null or undefined ends the chain with undefined. */
function chain(node: Node, scopes: ExpressionScopes, state: { shorted: boolean }): Outcome {
  if (node.type !== 'MemberExpression') return node.type === 'CallExpression' ? call(node as Node & { callee: Node; arguments: Node[]; optional: boolean }, scopes) : evaluate(node, scopes);
  const n = node as Node & { object: Node; property: Node; computed: boolean; optional: boolean };
  const object = chain(n.object, scopes, state);
  if (object === DECLINE) return DECLINE;
  if (state.shorted) return undefined;
  if (object === null || object === undefined) {
    if (!n.optional) return DECLINE; // a TypeError in JavaScript: the VM words it
    state.shorted = true;
    return undefined;
  }
  const key = n.computed ? evaluate(n.property, scopes) : (n.property as Node & { name: string }).name;
  if (key === DECLINE) return DECLINE;
  return member(object, key, object === scopes.session);
}

function binary(n: Node & { operator: string; left: Node; right: Node }, scopes: ExpressionScopes): Outcome {
  const left = evaluate(n.left, scopes);
  if (left === DECLINE) return DECLINE;
  const right = evaluate(n.right, scopes);
  if (right === DECLINE) return DECLINE;
  const numbers = typeof left === 'number' && typeof right === 'number';
  const strings = typeof left === 'string' && typeof right === 'string';
  switch (n.operator) {
    case '===':
      return left === right;
    case '!==':
      return left !== right;
    case '==':
    case '!=': {
      const nullish = (v: unknown) => v === null || v === undefined;
      if (typeof left !== typeof right && !(nullish(left) && nullish(right))) {
        if (nullish(left) !== nullish(right)) return n.operator === '!=';
        return DECLINE; // coercion between types: leave it to JavaScript
      }
      const equal = nullish(left) ? true : left === right;
      return n.operator === '==' ? equal : !equal;
    }
    case '<':
      return numbers || strings ? (left as number) < (right as number) : DECLINE;
    case '>':
      return numbers || strings ? (left as number) > (right as number) : DECLINE;
    case '<=':
      return numbers || strings ? (left as number) <= (right as number) : DECLINE;
    case '>=':
      return numbers || strings ? (left as number) >= (right as number) : DECLINE;
    case '+':
      if (numbers) return left + right;
      if ((typeof left === 'string' || typeof right === 'string') && isPrimitive(left) && isPrimitive(right)) return String(left) + String(right);
      return DECLINE;
    case '-':
      return numbers ? left - right : DECLINE;
    case '*':
      return numbers ? left * right : DECLINE;
    case '/':
      return numbers ? left / right : DECLINE;
    case '%':
      return numbers ? left % right : DECLINE;
    default:
      return DECLINE;
  }
}

function call(n: Node & { callee: Node; arguments: Node[]; optional: boolean }, scopes: ExpressionScopes): Outcome {
  if (n.optional || n.arguments.some((a) => a.type === 'SpreadElement')) return DECLINE;
  const args: unknown[] = [];
  for (const argument of n.arguments) {
    const value = evaluate(argument, scopes);
    if (value === DECLINE || !isPrimitive(value)) return DECLINE;
    args.push(value);
  }
  if (n.callee.type === 'Identifier') {
    const name = (n.callee as Node & { name: string }).name;
    if (name === 'Boolean') return args.length === 0 ? false : truthy(args[0]);
    if (name === 'String') return args.length === 0 ? '' : String(args[0]);
    return DECLINE;
  }
  // "text".method(...) for a few pure string methods.
  const callee = n.callee as Node & { type: string; object: Node; property: Node; computed: boolean; optional: boolean };
  if (callee.type !== 'MemberExpression' || callee.computed || callee.optional) return DECLINE;
  const method = (callee.property as Node & { name: string }).name;
  if (!STRING_METHODS.has(method)) return DECLINE;
  const target = evaluate(callee.object, scopes);
  if (typeof target !== 'string') return DECLINE;
  if (args.some((a) => typeof a !== 'string' && typeof a !== 'number' && a !== undefined)) return DECLINE;
  return (String.prototype[method as 'trim'] as (...a: unknown[]) => unknown).apply(target, args);
}
