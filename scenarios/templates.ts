/**
 * `${step.field.sub}` references inside step parameters. A value that is exactly one reference takes
 * the referenced value as it is (a number stays a number, an object an object); a reference inside
 * longer text is interpolated as text. The first segment names an earlier step (or a run variable
 * such as `identifier`); the rest walks into that step's result.
 */

const REFERENCE = /\$\{([^{}]*)\}/g;
const WHOLE = /^\$\{([^{}]*)\}$/;
const EXPRESSION = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

export interface Reference {
  /** The text between `${` and `}`. */
  expression: string;
  root: string;
  path: string[];
  /** Where in the parameters it was found, e.g. `orders.2.lastFour`. */
  field: string;
}

/** Raised for a malformed or unresolvable reference; `field` says where it was. */
export class TemplateError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export const isWholeReference = (value: string): boolean => WHOLE.test(value);

function walk(value: unknown, field: string, visit: (text: string, field: string) => void): void {
  if (typeof value === 'string') visit(value, field);
  else if (Array.isArray(value))
    value.forEach((item, i) => walk(item, field ? `${field}.${i}` : String(i), visit));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) walk(item, field ? `${field}.${key}` : key, visit);
}

/** Every reference in a value (deeply), checked for syntax. */
export function findReferences(value: unknown, baseField = ''): Reference[] {
  const found: Reference[] = [];
  walk(value, baseField, (text, field) => {
    for (const match of text.matchAll(REFERENCE)) {
      const expression = (match[1] ?? '').trim();
      if (!EXPRESSION.test(expression))
        throw new TemplateError(
          field,
          `"\${${match[1] ?? ''}}" is not a reference; write \${step-name.field} (letters, digits, "-", "_", dots between names)`,
        );
      const [root, ...path] = expression.split('.');
      found.push({ expression, root: root!, path, field });
    }
  });
  return found;
}

function lookup(scope: Readonly<Record<string, unknown>>, expression: string, field: string): unknown {
  const [root, ...path] = expression.split('.');
  if (!Object.hasOwn(scope, root!))
    throw new TemplateError(
      field,
      `\${${expression}}: nothing is called "${root}" here; available: ${Object.keys(scope).join(', ') || '(nothing)'}`,
    );
  let current: unknown = scope[root!];
  let walked = root!;
  for (const key of path) {
    const container =
      current !== null && typeof current === 'object' ? (current as Record<string, unknown>) : undefined;
    if (!container || !Object.hasOwn(container, key)) {
      const keys = container ? Object.keys(container) : [];
      throw new TemplateError(
        field,
        `\${${expression}}: ${walked} has no "${key}"` +
          (keys.length
            ? `; it has: ${keys.slice(0, 20).join(', ')}${keys.length > 20 ? ', …' : ''}`
            : ` (it is ${JSON.stringify(current)})`),
      );
    }
    current = container[key];
    walked += `.${key}`;
  }
  if (current === undefined)
    throw new TemplateError(field, `\${${expression}} has no value (the step did not produce one)`);
  return current;
}

/** A copy of `value` with every reference replaced from `scope`. */
export function resolveTemplates<T>(value: T, scope: Readonly<Record<string, unknown>>, field = ''): T {
  const resolve = (item: unknown, at: string): unknown => {
    if (typeof item === 'string') {
      const whole = WHOLE.exec(item);
      if (whole) return structuredClone(lookup(scope, (whole[1] ?? '').trim(), at));
      return item.replace(REFERENCE, (_text, expression: string) => {
        const found = lookup(scope, expression.trim(), at);
        if (typeof found === 'object' && found !== null)
          throw new TemplateError(
            at,
            `\${${expression.trim()}} is an object and cannot be part of a text; use it alone`,
          );
        return String(found);
      });
    }
    if (Array.isArray(item)) return item.map((x, i) => resolve(x, at ? `${at}.${i}` : String(i)));
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(
        Object.entries(item).map(([key, x]) => [key, resolve(x, at ? `${at}.${key}` : key)]),
      );
    return item;
  };
  return resolve(value, field) as T;
}
