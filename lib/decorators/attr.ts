import { addParamSpec } from "./metadata";

/**
 * Marks a parameter of a `@Tracked` method as the task attribute `name`; `map` picks what to show.
 * @example find(@Attr("user", (u: User) => u.login) user: User) { … }
 */
export function Attr<T = unknown>(name: string, map?: (value: T) => unknown): ParameterDecorator {
  if (typeof name !== "string" || name.length === 0) throw new TypeError(`@Attr needs a non-empty attribute name, got ${JSON.stringify(name) ?? String(name)}`);
  if (map !== undefined && typeof map !== "function") throw new TypeError(`@Attr("${name}") takes a function as its second argument, got ${typeof map}`);
  return (target, method, index) => addParamSpec(target, method, { kind: "attr", index, name, map });
}
