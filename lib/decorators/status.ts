import { activeTask } from "../core/context";
import { calledBare, methodDecorator, raise, type MethodDecoratorFor } from "./method";
import { statusFault } from "./tracking-faults";

/**
 * Marks a phase: called inside a task, the method first appends `text` (or `text(...args)`) to the
 * task's history, a cancellation point. Outside any task it only costs one context lookup. A
 * `text` function is typed against the method: its parameters must be the method's first ones.
 * @example @Status("reading") async read(path: string) { … }
 */
export function Status<A extends any[] = any[]>(text: string | ((...args: A) => string)): MethodDecoratorFor<A> {
  if (calledBare(arguments))
    throw new TypeError('@Status must be called with the phase: write @Status("phase") or @Status((...args) => "phase")');
  if (typeof text !== "string" && typeof text !== "function") {
    throw new TypeError(`@Status takes a string or a function of the arguments, got ${JSON.stringify(text) ?? String(text)}`);
  }
  return methodDecorator("Status", ({ key, original, isAsync, whenOwnerKnown }) => {
    let method = String(key);
    whenOwnerKnown((owner) => (method = `${owner}.${String(key)}`));
    return function status(this: unknown) {
      const task = activeTask();
      if (task !== undefined) {
        let line: string | undefined = text as string;
        if (typeof text !== "string") {
          try {
            line = Reflect.apply(text, undefined, arguments);
          } catch (error) {
            // a text function's fault is reported, never the call's
            line = undefined;
            statusFault(task, method, error);
          }
        }
        try {
          if (line !== undefined) task.status(line);
        } catch (error) {
          // the cancellation point: a killed task's next phase does not start
          return raise(error, isAsync);
        }
      }
      return Reflect.apply(original, this, arguments);
    };
  });
}
