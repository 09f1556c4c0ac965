import type { ProcessManager } from "./manager";

/** Applies one extension option's value to a manager (validating it); undefined never reaches it. */
export type ExtensionOptionApplier = (manager: ProcessManager, value: unknown) => void;

// Filled by extension modules at load (lib/otel registers `otel`); the core knows none by name.
const appliers = new Map<string, ExtensionOptionApplier>();

/** Lets `new ProcessManager({ [name]: value })` and `setOptions` switch an extension on or off. */
export function defineManagerOption(name: string, apply: ExtensionOptionApplier): void {
  appliers.set(name, apply);
}

/** Splits manager options into the core's own and the extensions' values with their appliers (undefined values left out: they keep the current state). */
export function splitOptions<T extends object>(options: T): [core: T, extensions: [ExtensionOptionApplier, unknown][]] {
  let core = options;
  const extensions: [ExtensionOptionApplier, unknown][] = [];
  if (options === null || typeof options !== "object") return [core, extensions];
  for (const [name, apply] of appliers) {
    if (!(name in options)) continue;
    if (core === options) core = { ...options };
    const value = (core as Record<string, unknown>)[name];
    delete (core as Record<string, unknown>)[name];
    if (value !== undefined) extensions.push([apply, value]);
  }
  return [core, extensions];
}
