import { activeTask, enter, frame, leave, runInContext, taskContext } from "../core/context";
import type { ParamSpec } from "./metadata";
import { endThrown, settled } from "../core/run-in-task";
import { stranded } from "../core/stranded";
import { MAX_TASK_NAME, TIMEOUT_SCHEMA } from "../core/options";
import { optionChecker, type Checker } from "../schema/validation";
import { compileAttrs } from "./compile-attrs";
import { managerFor } from "./manager-lookup";
import { calledBare, methodDecorator, type MethodDecoratorFor } from "./method";
import { Booked, type Task } from "../core/task";
import { idProblem, MAX_ID_LENGTH } from "../core/task-id";
import { beginDespiteFaults, type TrackingPlan } from "./tracking-faults";

/**
 * Options of `@Tracked`; unset cancel options take the manager's defaults. `I` and `R` are the
 * parameters of `id` and `attrs`, each typed on its own: either may take fewer than the other,
 * and both must fit the decorated method's parameters (a compile error otherwise).
 */
export interface TrackedOptions<I extends any[] = any[], R extends any[] = I> {
  /** Task name; default `ClassName.methodName`. */
  name?: string | undefined;
  /** Computes the task id from the arguments; else the `@TaskId()` parameter; else a generated id. */
  id?: ((...args: I) => string) | undefined;
  /** Computes attributes from the arguments, merged over the `@Attr` parameters. */
  attrs?: ((...args: R) => Record<string, unknown>) | undefined;
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
      name: { type: "string", minLength: 1, maxLength: MAX_TASK_NAME },
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
 * Tracking never makes the call fail: a mapper that throws, an unusable or taken id, are reported
 * (see `ManagerOptions.onError`) and the method runs as it would untracked.
 * @example
 * class Users {
 *   @Tracked() async find(@TaskId() requestId: string, @Attr("user") login: string) { … }
 *   @Tracked({ id: (requestId: string, login: string) => requestId, attrs: (requestId: string, login: string) => ({ user: login }) })
 *   async findStandard(requestId: string, login: string) { … }
 * }
 */
export function Tracked<I extends any[] = any[], R extends any[] = I>(options: TrackedOptions<I, R> = {}): MethodDecoratorFor<I, R> {
  if (calledBare(arguments)) throw new TypeError("@Tracked must be called: write @Tracked() or @Tracked({ … }), with parentheses");
  checkTrackedOptions(options);
  return methodDecorator("Tracked", ({ key, original, params, whenOwnerKnown }) => {
    let name = options.name ?? String(key);
    if (options.name === undefined) whenOwnerKnown((owner) => (name = owner === "" ? String(key) : `${owner}.${String(key)}`));
    const idOf = compileId(params, options.id as ArgsOf | undefined);
    const attrsOf = compileAttrs(params, options.attrs as ((...args: unknown[]) => unknown) | undefined);
    const { forbidCancel, swallowCancel, timeoutMs } = options;
    const plan: TrackingPlan = {
      specs: params,
      idFromOptions: options.id as TrackingPlan["idFromOptions"],
      attrsFromOptions: options.attrs as TrackingPlan["attrsFromOptions"],
      forbidCancel,
      swallowCancel,
      timeoutMs,
    };
    return function tracked(this: unknown) {
      const parent = activeTask();
      const manager = parent === undefined ? managerFor(this) : parent.owner;
      let task: Task | undefined;
      try {
        task = manager.begin(
          idOf(arguments) as string | undefined,
          name,
          attrsOf(arguments),
          forbidCancel,
          swallowCancel,
          parent,
          timeoutMs,
        );
      } catch {
        task = beginDespiteFaults(plan, name, manager, arguments, parent);
        if (task === undefined) return Reflect.apply(original, this, arguments);
      }
      // runInTask's steps, in this frame, with the context entered by calls that return before the
      // method is called: a tracked recursion costs the method's frame and this one per level.
      let result: unknown;
      let threw = false;
      try {
        if (task.owner.hooks?.enter !== undefined) result = runInContext(task, original, this, arguments);
        else {
          const { task: frameTask, asyncId: frameAsyncId, enteredAt: frameEnteredAt } = frame;
          enter(task);
          try {
            result = Reflect.apply(original, this, arguments);
          } finally {
            leave(parent, frameTask, frameAsyncId, frameEnteredAt);
          }
        }
      } catch (error) {
        threw = true;
        result = error;
      }
      try {
        if (!threw) return settled(task, result);
        // A stack overflow may have struck the `leave` above: make the caller's task current again.
        if (taskContext.getStore() === task) leave(parent, undefined, -1, NaN);
        return endThrown(task, result);
      } catch (thrown) {
        // No room for a call yet (a stack overflow still unwinding): a frame further up ends the task.
        if ((task.booked & Booked.Ended) === 0) {
          stranded.tasks.push(task);
          stranded.error ??= result;
        }
        throw thrown;
      }
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

/** The id as given, when it follows the id rule; else a throw that sends the call down the slow path, which reports it. */
function checkedId(value: unknown): string {
  const id = typeof value === "number" || typeof value === "bigint" ? String(value) : value;
  if (
    typeof id === "string" &&
    id.length !== 0 &&
    id.length <= MAX_ID_LENGTH &&
    id !== "." &&
    id !== ".." &&
    (id as WellFormed).isWellFormed()
  )
    return id;
  throw new TypeError(`invalid task id: ${idProblem(id)}`);
}

/** `String.prototype.isWellFormed` (Node 20+), missing from the ES2022 library types. */
type WellFormed = string & { isWellFormed(): boolean };
