import { activeTask } from "../core/context";
import { raise, wrapMethod } from "./method";

/**
 * Marks a phase: called inside a task, the method first appends `text` (or `text(...args)`) to the
 * task's history, a cancellation point. Outside any task it only costs one context lookup.
 * @example @Status("reading") async read(path: string) { … }
 */
export function Status<A extends any[] = any[]>(text: string | ((...args: A) => string)): MethodDecorator {
  if (typeof text !== "string" && typeof text !== "function") {
    throw new TypeError(`@Status takes a string or a function of the arguments, got ${JSON.stringify(text) ?? String(text)}`);
  }
  return (_target, key, descriptor) =>
    wrapMethod("Status", descriptor, key, (original, isAsync) =>
      function status(this: unknown) {
        const task = activeTask();
        if (task !== undefined) {
          try {
            task.status(typeof text === "string" ? text : Reflect.apply(text, undefined, arguments));
          } catch (error) {
            return raise(error, isAsync);
          }
        }
        return Reflect.apply(original, this, arguments);
      },
    );
}
