import { activeTask } from "../core/context";
import type { ParamSpec } from "./metadata";
import { runInTask } from "../core/run-in-task";
import { TIMEOUT_SCHEMA } from "../core/options";
import { optionChecker, type Checker } from "../core/validation";
import { compileAttrs } from "./compile-attrs";
import { managerFor } from "./manager-lookup";
import { calledBare, methodDecorator, raise, type MethodDecoratorBothWays } from "./method";

/** Options of `@Tracked`; unset cancel options take the manager's defaults. */
export interface TrackedOptions<A extends any[] = any[]> {
  /** Task name; default `ClassName.methodName`. */
  name?: string | undefined;
  /** Computes the task id from the arguments; else the `@TaskId()` parameter; else a generated id. */
  id?: ((...args: A) => string) | undefined;
  /** Computes attributes from the arguments, merged over the `@Attr` parameters. */
  attrs?: ((...args: A) => Record<string, unknown>) | undefined;
  forbidCancel?: boolean | undefined;
  swallowCancel?: boolean | undefined;
  /** A deadline for each call: past it the call's task is killed with `deadline exceeded after <N> ms`. */
  timeoutMs?: number | undefined;
}

const checkTrackedOptions: Checker<TrackedOptions> = optionChecker<TrackedOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: "string", minLength: 1, maxLength: 200 },
      id: { isFunction: true },
      attrs: { isFunction: true },
      forbidCancel: { type: "boolean" },
      swallowCancel: { type: "boolean" },
      timeoutMs: TIMEOUT_SCHEMA,
    },
  },
  "@Tracked option",
);

type ArgsOf = (args: ArrayLike<unknown>) => unknown;

/**
 * Makes every call of the method a task of the process list: id and attributes from its
 * arguments, history from the `@Status` methods it calls. Sync methods stay sync; `this`,
 * arguments, results and errors pass through unchanged. Works under `experimentalDecorators`
 * and as a standard decorator, where ids and attributes come from the `id` and `attrs` options.
 * @example
 * class Users {
 *   @Tracked() async find(@TaskId() requestId: string, @Attr("user") login: string) { … }
 *   @Tracked({ id: (requestId: string, login: string) => requestId, attrs: (requestId: string, login: string) => ({ user: login }) })
 *   async findStandard(requestId: string, login: string) { … }
 * }
 */
export function Tracked<A extends any[] = any[]>(options: TrackedOptions<A> = {}): MethodDecoratorBothWays {
  if (calledBare(arguments)) throw new TypeError("@Tracked must be called: write @Tracked() or @Tracked({ … }), with parentheses");
  checkTrackedOptions(options);
  return methodDecorator("Tracked", ({ key, original, isAsync, params, whenOwnerKnown }) => {
    let name = options.name ?? String(key);
    if (options.name === undefined) whenOwnerKnown((owner) => (name = `${owner}.${String(key)}`));
    const idOf = compileId(params, options.id as ArgsOf | undefined);
    const attrsOf = compileAttrs(params, options.attrs as ((...args: unknown[]) => unknown) | undefined);
    const { forbidCancel, swallowCancel, timeoutMs } = options;
    return function tracked(this: unknown) {
      const parent = activeTask();
      const manager = parent === undefined ? managerFor(this) : parent.owner;
      let task;
      try {
        task = manager.begin(idOf(arguments) as string | undefined, name, attrsOf(arguments), forbidCancel, swallowCancel, parent, timeoutMs);
      } catch (error) {
        return raise(error, isAsync);
      }
      return runInTask(task, original, this, arguments as unknown as unknown[]);
    };
  });
}

function compileId(specs: readonly ParamSpec[], fromOptions: ArgsOf | undefined): ArgsOf {
  if (fromOptions !== undefined) return (args) => checkedId(Reflect.apply(fromOptions, undefined, args));
  const spec = specs.find((s) => s.kind === "id");
  if (spec === undefined) return () => undefined;
  const index = spec.index;
  return (args) => (args[index] === undefined || args[index] === null ? undefined : checkedId(args[index]));
}

function checkedId(value: unknown): string {
  if ((typeof value === "string" && value.length > 0) || typeof value === "number" || typeof value === "bigint") return String(value);
  throw new TypeError(`a task id must be a non-empty string or a number, got ${JSON.stringify(value) ?? String(value)}`);
}
