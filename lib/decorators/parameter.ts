import { addParamSpec, type ParamSpec } from "./metadata";
import { isStandardContext, memberName } from "./method";

/**
 * Builds a parameter decorator (experimentalDecorators only). Standard decorators have no
 * parameter decorators: TypeScript refuses `@Attr` there (TS1206); a standard call that still
 * reaches one (a decorator put on a method, or another compiler) gets a message naming the fix.
 */
export function parameterDecorator(decorator: string, spec: (index: number) => ParamSpec): ParameterDecorator {
  return function decorate(...args: unknown[]) {
    if (isStandardContext(args[1])) {
      throw new TypeError(
        `@${decorator} marks a parameter, and standard decorators (TypeScript without experimentalDecorators) have none: on ${memberName(args[1])}, give ids and attributes with @Tracked({ id: (...args) => …, attrs: (...args) => ({ … }) })`,
      );
    }
    const [target, key, index] = args as [object, string | symbol | undefined, unknown];
    if (typeof index !== "number")
      throw new TypeError(`@${decorator} goes on a parameter of a @Tracked method, not on ${String(key)} itself`);
    addParamSpec(target, key, spec(index));
  };
}
