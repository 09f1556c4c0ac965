import type { Socket } from "node:net";
import { profileCpu, ProfileBusyError } from "../../profile/profiler";
import { wireProfile } from "../../profile/wire";
import { handle, type Handler } from "../responses/handler";
import { HttpError } from "../responses/http-error";
import { checkQuery } from "../inputs/checks";
import { sendJsonText, serverTime } from "../responses/respond";
import { formatTime } from "../responses/time";

/** Seconds profiled when the request does not say. */
export const DEFAULT_PROFILE_SECONDS = 10;

/**
 * `GET /procs/profile?seconds=N[&format=cpuprofile]`: profiles the process's CPU for N seconds
 * (1–60, default 10) and answers the CPU time per task name and task, or V8's raw profile (a
 * `.cpuprofile` Chrome DevTools opens). One profile at a time per process: while one runs the
 * answer is 409 with `endsAt` and `Retry-After`. A client that closes its side of the connection
 * (gone, or half-closed: the server cannot tell them apart) stops its profile early; the answer,
 * if it can still be read, covers the time it ran.
 */
export function profileRoute(): Handler {
  return handle(async (req, res) => {
    checkQuery("profileQuery", req.query);
    const seconds = profileSeconds(req.query.seconds);
    const stop = new AbortController();
    const abort = () => stop.abort();
    res.once("close", abort);
    req.socket.once("end", abort);
    // The answer comes only when the profile ends: the connection is quiet that long.
    const socket = req.socket as Socket & { server?: { timeout?: number } };
    socket.setTimeout(seconds * 1e3 + 30_000);
    let result;
    try {
      result = await profileCpu(seconds, stop.signal);
    } catch (error) {
      if (!(error instanceof ProfileBusyError)) throw error;
      const wait = Math.max(1, Math.ceil((error.endsAt - Date.now()) / 1e3));
      const body = JSON.stringify({ error: error.message, endsAt: formatTime(error.endsAt) });
      return sendJsonText(res, 409, body, { "retry-after": String(wait) });
    } finally {
      socket.setTimeout(socket.server?.timeout ?? 0);
      req.socket.off("end", abort);
    }
    if (req.query.format === "cpuprofile") {
      return sendJsonText(res, 200, JSON.stringify(result.cpuprofile), {
        "content-disposition": `attachment; filename="proclist-${process.pid}.cpuprofile"`,
      });
    }
    sendJsonText(res, 200, `{"profile":${JSON.stringify(wireProfile(result.table, formatTime))},"serverTime":"${serverTime()}"}`);
  });
}

/** `HEAD /procs/profile`: 405, as a profile nobody reads the answer of is CPU spent for nothing. */
export function profileHeadRoute(): Handler {
  return handle(() => {
    throw new HttpError(405, "method HEAD not allowed on /procs/profile; allowed: GET, OPTIONS", { allow: "GET, OPTIONS" });
  });
}

/** The `seconds` of a profile request: default 10, else 1 to 60 (a 400 otherwise). */
export function profileSeconds(text: string | string[] | undefined): number {
  const seconds = text === undefined ? DEFAULT_PROFILE_SECONDS : Number(text);
  if (!(seconds >= 1 && seconds <= 60))
    throw new HttpError(
      400,
      `invalid query parameter "seconds" ${JSON.stringify(text)}: must be a number of seconds from 1 to 60, such as 10`,
    );
  return seconds;
}
