import { addParamSpec } from "./metadata";

/** Marks the parameter of a `@Tracked` method whose value is the task id (a request id, say). */
export function TaskId(): ParameterDecorator {
  return (target, method, index) => addParamSpec(target, method, { kind: "id", index });
}
