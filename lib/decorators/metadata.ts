/** How one parameter feeds a task: as its id, or as an attribute (optionally mapped). */
export type ParamSpec =
  | { kind: "id"; index: number }
  | { kind: "attr"; index: number; name: string; map: ((value: any) => unknown) | undefined };

/** The only store of proclist's decorator metadata: prototype → method → parameter specs. */
const params = new WeakMap<object, Map<string | symbol, ParamSpec[]>>();

export function addParamSpec(target: object, method: string | symbol | undefined, spec: ParamSpec): void {
  if (method === undefined) throw new TypeError("@Attr and @TaskId mark parameters of methods, not of constructors");
  let byMethod = params.get(target);
  if (byMethod === undefined) params.set(target, (byMethod = new Map()));
  const specs = byMethod.get(method);
  if (specs !== undefined) return void specs.push(spec);
  byMethod.set(method, [spec]);
  // Parameter decorators run before the method decorators of their member, so whether a
  // @Tracked follows is known only once the class is defined, which is synchronous: check then.
  queueMicrotask(() => {
    if (byMethod.get(method) === undefined) return;
    const owner = typeof target === "function" ? target.name : target.constructor.name;
    process.emitWarning(
      `@Attr/@TaskId on ${owner}.${String(method)} do nothing: the method has no @Tracked (add @Tracked() above it, or remove them)`,
      { code: "PROCLIST_PARAMS_WITHOUT_TRACKED" },
    );
  });
}

/** The parameter specs of a method, handed once to the `@Tracked` that compiles them. */
export function takeParamSpecs(target: object, method: string | symbol): readonly ParamSpec[] {
  const byMethod = params.get(target);
  const specs = byMethod?.get(method) ?? [];
  byMethod?.delete(method);
  return specs;
}
