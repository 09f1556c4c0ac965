type AnyFunction = (this: unknown, ...args: any[]) => unknown;

/**
 * Shared plumbing of method decorators: checks the target is a method, installs the wrapper
 * under the method's name, and tells whether the original is an `async function` (so errors
 * raised before calling it can reject instead of throwing, as the caller expects).
 */
export function wrapMethod(
  decorator: string,
  descriptor: PropertyDescriptor,
  key: string | symbol,
  makeWrapper: (original: AnyFunction, isAsync: boolean) => AnyFunction,
): void {
  const original: unknown = descriptor.value;
  if (typeof original !== "function") throw new TypeError(`@${decorator} goes on a method; ${String(key)} is not one`);
  const wrapper = makeWrapper(original as AnyFunction, original.constructor.name === "AsyncFunction");
  Object.defineProperty(wrapper, "name", { value: original.name });
  descriptor.value = wrapper;
}

/** Raises `error` the way the caller of the method expects it: a rejection for async methods. */
export function raise(error: unknown, isAsync: boolean): never {
  if (isAsync) return Promise.reject(error) as never;
  throw error;
}
