import type Ajv from "ajv";
import type { KeywordCxt, Options } from "ajv";

/**
 * The ajv configuration of every proclist schema, shared by the build step that generates
 * standalone validators and the fallback that compiles at run time. ajv is required here, on
 * demand, so that a process using only build-time validators never loads its compiler.
 */
export function createAjv(options: Options = {}): Ajv {
  const { default: AjvClass, _ } = require("ajv") as typeof import("ajv");
  const ajv = new AjvClass({ allErrors: false, strict: true, useDefaults: false, ...options });
  // JSON Schema has no type for functions; options such as `@Tracked({ id })` take them. A code
  // keyword (not a validate function) so that standalone code can carry it.
  ajv.addKeyword({
    keyword: "isFunction",
    schemaType: "boolean",
    error: { message: "must be a function" },
    code(cxt: KeywordCxt) {
      cxt.fail(_`(typeof ${cxt.data} === "function") !== ${cxt.schema}`);
    },
  });
  return ajv;
}
