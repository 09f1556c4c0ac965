import type { ParamSpec } from "./metadata";

/** Builds a task's attributes from a call's arguments; undefined when the method declares none. */
export type AttrsOf = (args: ArrayLike<unknown>) => Record<string, unknown> | undefined;

/**
 * Compiles the `@Attr` parameters (and the `attrs` option) of a method into one function, once,
 * when the decorator is applied. It is generated code returning an object literal: each call then
 * allocates an object of the right shape at once, where assigning names in a loop would walk
 * V8's shape transitions every time (~30 ns per call for three attributes).
 */
export function compileAttrs(specs: readonly ParamSpec[], fromOptions: ((...args: unknown[]) => unknown) | undefined): AttrsOf {
  // Parameter decorators run last parameter first: reversed, the attributes are in parameter order.
  const attrs = specs.filter((s) => s.kind === "attr").reverse();
  if (attrs.length === 0 && fromOptions === undefined) return () => undefined;
  const maps = attrs.map((spec) => spec.map);
  const fields = attrs.map((spec, i) => {
    // A computed key defines an own property even for "__proto__", which a plain key would not.
    const key = `[${JSON.stringify(spec.name)}]`;
    const value = `args[${spec.index}]`;
    return `${key}: ${maps[i] === undefined ? value : `maps[${i}](${value})`}`;
  });
  const literal = new Function("maps", `"use strict"; return (args) => ({ ${fields.join(", ")} });`)(maps) as (
    args: ArrayLike<unknown>,
  ) => Record<string, unknown>;
  if (fromOptions === undefined) return literal;
  return (args) => Object.assign(literal(args), Reflect.apply(fromOptions, undefined, args) as Record<string, unknown>);
}
