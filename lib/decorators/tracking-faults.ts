import { assignAttrs } from "../core/copy-attrs";
import type { TaskOwner } from "../core/task";
import type { Task } from "../core/task";
import { idProblem } from "../core/task-id";
import type { ParamSpec } from "./metadata";

/** What a `@Tracked` method's wrapper knows of its own tracking: enough to redo it piece by piece. */
export interface TrackingPlan {
  readonly specs: readonly ParamSpec[];
  readonly idFromOptions: ((...args: unknown[]) => unknown) | undefined;
  readonly attrsFromOptions: ((...args: unknown[]) => unknown) | undefined;
  readonly forbidCancel: boolean | undefined;
  readonly swallowCancel: boolean | undefined;
  readonly timeoutMs: number | undefined;
}

type Fault = [site: string, what: string, cause?: unknown];

/**
 * The slow path of a tracked call whose tracking failed (the fast path threw): each part is redone
 * on its own, a part that fails is left out and reported, and the task starts with the rest. An
 * unusable id gives way to a generated one; an id a live task has becomes `id~2`… Undefined when
 * even that fails (no stack left, say): the method then runs untracked. Never throws.
 * @internal
 */
export function beginDespiteFaults(
  plan: TrackingPlan,
  name: string,
  manager: TaskOwner,
  args: ArrayLike<unknown>,
  parent: Task | undefined,
): Task | undefined {
  const faults: Fault[] = [];
  try {
    let id = requestedId(plan, name, args, faults);
    if (id !== undefined) {
      const free = manager.freeId(id);
      if (free !== id)
        faults.push([
          `@TaskId of ${name}`,
          `id ${JSON.stringify(id.slice(0, 100))} is taken by a live task; this task is ${JSON.stringify(free)}`,
        ]);
      id = free;
    }
    const task = manager.begin(
      id,
      name,
      attributes(plan, name, args, faults),
      plan.forbidCancel,
      plan.swallowCancel,
      parent,
      plan.timeoutMs,
    );
    for (const [site, what, cause] of faults) manager.fault(task, site, what, cause);
    return task;
  } catch (error) {
    manager.fault(undefined, `@Tracked ${name}`, "tracking failed, the call runs untracked", error);
    return undefined;
  }
}

function requestedId(plan: TrackingPlan, name: string, args: ArrayLike<unknown>, faults: Fault[]): string | undefined {
  const site = plan.idFromOptions === undefined ? `@TaskId of ${name}` : `@Tracked id option of ${name}`;
  let value: unknown;
  if (plan.idFromOptions !== undefined) {
    try {
      value = Reflect.apply(plan.idFromOptions, undefined, args);
    } catch (error) {
      faults.push([site, "threw; the task has a generated id", error]);
      return undefined;
    }
  } else {
    const spec = plan.specs.find((s) => s.kind === "id");
    if (spec === undefined) return undefined;
    value = args[spec.index];
    if (value === undefined || value === null) return undefined;
  }
  const id = typeof value === "number" || typeof value === "bigint" ? String(value) : value;
  const problem = idProblem(id);
  if (problem === undefined) return id as string;
  faults.push([site, `${describe(value)} is not a task id (${problem}); the task has a generated id`]);
  return undefined;
}

function attributes(plan: TrackingPlan, name: string, args: ArrayLike<unknown>, faults: Fault[]): Record<string, unknown> | undefined {
  const attrs: Record<string, unknown> = {};
  // Parameter decorators run last parameter first: reversed, the attributes are in parameter order.
  for (const spec of [...plan.specs].reverse()) {
    if (spec.kind !== "attr") continue;
    try {
      attrs[spec.name] = spec.map === undefined ? args[spec.index] : spec.map(args[spec.index]);
    } catch (error) {
      faults.push([`@Attr(${JSON.stringify(spec.name)}) of ${name}`, "the mapper threw; the attribute is left out", error]);
    }
  }
  if (plan.attrsFromOptions !== undefined) {
    const site = `@Tracked attrs option of ${name}`;
    try {
      for (const what of assignAttrs(attrs, Reflect.apply(plan.attrsFromOptions, undefined, args))) faults.push([site, what]);
    } catch (error) {
      faults.push([site, "threw; its attributes are left out", error]);
    }
  }
  return attrs;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  return typeof value === "object" ? (value === null ? "null" : "an object") : `a ${typeof value}`;
}

/** Reports a `@Status` text function that threw: the method runs, without that status. */
export function statusFault(task: Task, method: string, error: unknown): void {
  task.owner.fault(task, `@Status of ${method}`, "the text function threw; no status is recorded", error);
}
