import { parameterDecorator } from "./parameter";

/**
 * Marks a parameter of a `@Tracked` method as the task attribute `name`; `map` picks what to show.
 * Needs `experimentalDecorators`; with standard decorators, use `@Tracked({ attrs })`.
 * @example find(@Attr("user", (u: User) => u.login) user: User) { … }
 */
export function Attr<T = unknown>(name: string, map?: (value: T) => unknown): ParameterDecorator {
  if (typeof name !== "string" || name.length === 0)
    throw new TypeError(`@Attr needs a non-empty attribute name, got ${JSON.stringify(name) ?? String(name)}`);
  if (map !== undefined && typeof map !== "function")
    throw new TypeError(`@Attr("${name}") takes a function as its second argument, got ${typeof map}`);
  return parameterDecorator("Attr", (index) => ({ kind: "attr", index, name, map }));
}
