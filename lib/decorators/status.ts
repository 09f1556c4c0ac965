import { activeTask } from "../core/context";
import { calledBare, methodDecorator, raise, type MethodDecoratorBothWays } from "./method";

/**
 * Marks a phase: called inside a task, the method first appends `text` (or `text(...args)`) to the
 * task's history, a cancellation point. Outside any task it only costs one context lookup.
 * @example @Status("reading") async read(path: string) { … }
 */
export function Status<A extends any[] = any[]>(text: string | ((...args: A) => string)): MethodDecoratorBothWays {
  if (calledBare(arguments)) throw new TypeError('@Status must be called with the phase: write @Status("phase") or @Status((...args) => "phase")');
  if (typeof text !== "string" && typeof text !== "function") {
    throw new TypeError(`@Status takes a string or a function of the arguments, got ${JSON.stringify(text) ?? String(text)}`);
  }
  return methodDecorator("Status", ({ original, isAsync }) =>
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
