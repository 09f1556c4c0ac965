import { container } from "tsyringe";
import { ProcessManager } from "../core/manager";

const byInstance = new WeakMap<object, ProcessManager>();
let root: ProcessManager | undefined;

/**
 * The manager a top-level tracked call on `self` reports to: a ProcessManager held in an own
 * property of `self` (what constructor injection from a child container gives), else the root
 * container's singleton. Looked up once per instance, then one WeakMap read per call.
 */
export function managerFor(self: unknown): ProcessManager {
  if (self === null || (typeof self !== "object" && typeof self !== "function")) return rootManager();
  let manager = byInstance.get(self);
  if (manager === undefined) {
    manager = ownManager(self) ?? rootManager();
    byInstance.set(self, manager);
  }
  return manager;
}

function ownManager(self: object): ProcessManager | undefined {
  for (const value of Object.values(self)) if (value instanceof ProcessManager) return value;
  return undefined;
}

function rootManager(): ProcessManager {
  return (root ??= container.resolve(ProcessManager));
}
