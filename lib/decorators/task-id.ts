import { parameterDecorator } from "./parameter";

/**
 * Marks the parameter of a `@Tracked` method whose value is the task id (a request id, say).
 * Needs `experimentalDecorators`; with standard decorators, use `@Tracked({ id })`.
 */
export function TaskId(): ParameterDecorator {
  return parameterDecorator("TaskId", (index) => ({ kind: "id", index }));
}
