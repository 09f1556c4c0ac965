import { defineManagerOption } from "../core/manager";
import { disableOtel, enableOtel, type OtelOptions } from "./enable";

declare module "../core/options" {
  interface ExtensionOptions {
    /**
     * OpenTelemetry: `true` records on each task the ids of the span active where it started;
     * `{ spans: true, tracer? }` also gives each task a span of its own; `false` switches it off.
     * Loads `@opentelemetry/api` only when set.
     */
    otel?: boolean | OtelOptions | undefined;
  }
}

defineManagerOption("otel", (manager, value) => {
  if (value === false) disableOtel(manager);
  else if (value === true) enableOtel(manager);
  else if (value !== null && typeof value === "object") enableOtel(manager, value as OtelOptions);
  else throw new TypeError(`invalid option "otel" ${JSON.stringify(value) ?? String(value)}: must be true, false or { spans, tracer }`);
});
