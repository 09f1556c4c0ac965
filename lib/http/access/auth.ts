import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "../responses/http-error";

const CHALLENGE = { "www-authenticate": 'Bearer realm="proclist"' };
/** No usable Authorization header: say what to send. */
const MISSING = new HttpError(401, "this server needs a bearer token: send the header 'Authorization: Bearer <token>'", CHALLENGE);
/** A well-formed header with a token the server does not have: say so, rather than how to send one. */
const UNKNOWN = new HttpError(401, "unknown bearer token: this server was started with another one", CHALLENGE);

/**
 * Checks bearer tokens in constant time. Tokens are compared as SHA-256 digests, so neither the
 * length nor the content of a token leaks through timing, and every token is tried, so neither
 * does which one matched.
 */
export class TokenCheck {
  private readonly digests: { label: string; digest: Buffer }[];

  constructor(tokens: ReadonlyMap<string, string>) {
    this.digests = Array.from(tokens, ([label, token]) => ({ label, digest: sha256(token) }));
  }

  get enabled(): boolean {
    return this.digests.length !== 0;
  }

  /** The label of the token the request carries ("" for an unlabelled one); throws a 401 HttpError. */
  check(req: IncomingMessage): string {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
    if (match === null) throw MISSING;
    const digest = sha256(match[1]);
    let label: string | undefined;
    for (const entry of this.digests) {
      if (timingSafeEqual(entry.digest, digest) && label === undefined) label = entry.label;
    }
    if (label === undefined) throw UNKNOWN;
    return label;
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
