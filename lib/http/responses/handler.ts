import type { IncomingMessage, ServerResponse } from "node:http";
import type { Query } from "../inputs/checks";
import type { Grant } from "../access/rights";
import { sendError } from "./respond";

/** A request as polka hands it over, plus what the guard learned. */
export interface ApiRequest extends IncomingMessage {
  params: Record<string, string>;
  query: Query;
  search: string | null;
  path: string;
  /** The label of the bearer token the request carried ("" unlabelled), when tokens are on. */
  tokenLabel?: string;
  /** What that token may do, when tokens are on (see access/rights). */
  grant?: Grant;
}

export type Handler = (req: ApiRequest, res: ServerResponse) => void | Promise<void>;

/**
 * Wraps a route handler so that whatever it throws or rejects with becomes a JSON error answer:
 * polka 0.5 neither catches rejections nor answers in JSON.
 */
export function handle(handler: Handler): Handler {
  return (req, res) => {
    try {
      const result = handler(req, res);
      if (result !== undefined) result.catch((error: unknown) => sendError(res, error));
    } catch (error) {
      sendError(res, error);
    }
  };
}
