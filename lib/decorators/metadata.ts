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
  const specs = byMethod.get(method) ?? [];
  specs.push(spec);
  byMethod.set(method, specs);
}

export function paramSpecs(target: object, method: string | symbol): readonly ParamSpec[] {
  return params.get(target)?.get(method) ?? [];
}
