import { takeParamSpecs, type ParamSpec } from "./metadata";

export type AnyFunction = (this: unknown, ...args: any[]) => unknown;

/** The method a decorator is applied to, the same under both decorator forms. */
export interface DecoratedMethod {
  readonly key: string | symbol;
  readonly original: AnyFunction;
  /** Whether the original is an `async function` (errors raised before calling it then reject). */
  readonly isAsync: boolean;
  /** `@Attr`/`@TaskId` parameters: only experimentalDecorators has parameter decorators. */
  readonly params: readonly ParamSpec[];
  /**
   * Calls back with the name of the class that declares the method: at once under
   * experimentalDecorators; under standard decorators, where the class does not exist yet while
   * its members are decorated, at the first construction (at once for a static method).
   */
  whenOwnerKnown(callback: (owner: string) => void): void;
}

/** A method decorator TypeScript accepts both under `experimentalDecorators` and as a standard (TC39) decorator. */
export interface MethodDecoratorBothWays {
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): void;
  <F extends (this: any, ...args: any) => any>(value: F, context: ClassMethodDecoratorContext<any, F>): F | void;
}

/**
 * What a decorator's functions of the arguments ask of the method they decorate: the method's
 * parameters, in order, can be passed to a function taking `Wants` (a function may take fewer).
 * When they cannot, the type names the mismatch, and tsc refuses the decorator on that method.
 */
export type ParamsFit<F, Wants extends any[]> = F extends (...args: infer P) => any
  ? P extends [...Wants, ...any[]]
    ? unknown
    : { "the decorator's function of the arguments does not take the method's parameters": Wants }
  : unknown;

/**
 * A method decorator for both forms (see MethodDecoratorBothWays) whose functions of the
 * arguments take `I` and `R`: on a method whose parameters do not fit them, a compile error.
 */
export interface MethodDecoratorFor<I extends any[], R extends any[] = I> {
  <F extends (this: any, ...args: any) => any>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F> & ParamsFit<F, I> & ParamsFit<F, R>,
  ): void;
  <F extends (this: any, ...args: any) => any>(
    value: F,
    context: ClassMethodDecoratorContext<any, F> & ParamsFit<F, I> & ParamsFit<F, R>,
  ): F | void;
}

/**
 * Builds a method decorator that tells the two forms apart by the arguments it receives,
 * `(prototype, key, descriptor)` under experimentalDecorators or `(method, context)` as a
 * standard decorator, and installs the same wrapper either way.
 */
export function methodDecorator(decorator: string, makeWrapper: (method: DecoratedMethod) => AnyFunction): MethodDecoratorBothWays {
  return function decorate(...args: unknown[]): any {
    if (isStandardContext(args[1])) {
      const [value, context] = args as [unknown, DecoratorContext];
      if (context.kind !== "method" || typeof value !== "function")
        throw notAMethod(decorator, `the ${context.kind} ${memberName(context)}`);
      const key = context.name as string | symbol;
      const wrapper = wrapped(value as AnyFunction, key, [], (callback) => {
        if (context.static)
          return context.addInitializer(function (this: unknown) {
            callback((this as Function).name);
          });
        let known = false;
        context.addInitializer(function (this: unknown) {
          if (known) return;
          known = true;
          callback(declaringClass(this, key, wrapper));
        });
      });
      return wrapper;
    }
    const [target, key, descriptor] = args as [unknown, unknown, unknown];
    if (
      (typeof target !== "object" && typeof target !== "function") ||
      target === null ||
      (typeof key !== "string" && typeof key !== "symbol")
    ) {
      throw new TypeError(
        `@${decorator} was applied with arguments neither decorator form passes (${args.map(describe).join(", ")}): put it on a class method, as @${decorator}(…)`,
      );
    }
    const owner = typeof target === "function" ? target.name : target.constructor.name;
    if (typeof descriptor === "number") throw notAMethod(decorator, `parameter ${descriptor} of ${owner}.${String(key)}`);
    const value = (descriptor as PropertyDescriptor | undefined)?.value;
    if (typeof value !== "function")
      throw notAMethod(decorator, `${owner}.${String(key)} (${kindOf(descriptor as PropertyDescriptor | undefined)})`);
    (descriptor as PropertyDescriptor).value = wrapped(value as AnyFunction, key, takeParamSpecs(target, key), (callback) =>
      callback(owner),
    );
  } as MethodDecoratorBothWays;

  function wrapped(
    original: AnyFunction,
    key: string | symbol,
    params: readonly ParamSpec[],
    whenOwnerKnown: DecoratedMethod["whenOwnerKnown"],
  ): AnyFunction {
    const wrapper = makeWrapper({ key, original, isAsync: original.constructor.name === "AsyncFunction", params, whenOwnerKnown });
    Object.defineProperty(wrapper, "name", { value: original.name });
    return wrapper;
  }
}

/**
 * Whether a decorator factory received what a decorator receives: `@Tracked` written without
 * parentheses is called with `(prototype, key, descriptor)` or `(method, context)`.
 */
export function calledBare(args: IArguments): boolean {
  return args.length >= 2 && (isStandardContext(args[1]) || typeof args[1] === "string" || typeof args[1] === "symbol");
}

export function isStandardContext(value: unknown): value is DecoratorContext {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}

export function memberName(context: DecoratorContext): string {
  return context.kind === "class"
    ? `class ${String(context.name)}`
    : `${"static" in context && context.static ? "static " : ""}${String(context.name)}`;
}

function notAMethod(decorator: string, what: string): TypeError {
  return new TypeError(`@${decorator} goes on a method; ${what} is not one`);
}

function kindOf(descriptor: PropertyDescriptor | undefined): string {
  if (descriptor === undefined) return "a field";
  if (descriptor.get !== undefined || descriptor.set !== undefined) return "an accessor";
  return "not a function";
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value === "function" ? `function ${value.name}` : typeof value;
}

/**
 * The name of the class in `self`'s prototype chain that holds `method` under `key` (or, when a
 * decorator applied after ours replaced it, the nearest class with its own `key`).
 */
function declaringClass(self: unknown, key: string | symbol, method: AnyFunction): string {
  let nearest = "";
  for (
    let proto = self === null || self === undefined ? null : Object.getPrototypeOf(self);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const own = Object.getOwnPropertyDescriptor(proto, key);
    if (own === undefined) continue;
    if (own.value === method) return (proto.constructor as Function).name;
    nearest ||= (proto.constructor as Function).name;
  }
  return nearest;
}

/** Raises `error` the way the caller of the method expects it: a rejection for async methods. */
export function raise(error: unknown, isAsync: boolean): never {
  if (isAsync) return Promise.reject(error) as never;
  throw error;
}
