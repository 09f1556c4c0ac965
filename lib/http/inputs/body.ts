import type { IncomingMessage } from "node:http";
import { HttpError } from "../responses/http-error";

/** The largest request body accepted: a kill message needs far less. */
export const MAX_BODY_BYTES = 16 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a request body of at most `limit` bytes and parses it as JSON, whatever the
 * Content-Type (curl sends form types by default). Resolves to undefined for an empty body.
 * Rejects with 413 past the limit (without reading the rest) and 400 for invalid UTF-8 or JSON:
 * a malformed body is refused, never taken as "no body".
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  // A compressed body would be parsed as garbage JSON; say plainly that it is not read instead.
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    return Promise.reject(new HttpError(415, `request body encoding ${JSON.stringify(encoding)} is not accepted: send plain JSON`));
  }
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  if (declared === "0" || (declared === undefined && req.headers["transfer-encoding"] === undefined)) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(utf8.decode(Buffer.concat(chunks, size)));
      } catch {
        reject(new HttpError(400, "request body is not valid UTF-8"));
      }
    };
    const onClose = () => {
      cleanup();
      reject(new HttpError(400, "request body ended early"));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onClose);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onClose);
    req.on("close", onClose);
  });
}

function tooLarge(limit: number): HttpError {
  // Close the connection after answering: the rest of the body is not worth reading.
  return new HttpError(413, `request body too large: the limit is ${limit} bytes`, { connection: "close" });
}
