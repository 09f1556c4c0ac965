import { randomBytes } from "node:crypto";
import { InstanceUnreachableError, unansweredWithin } from "./errors";
import type { FleetKeys } from "./keys";
import type { FleetBus } from "./bus";
import { readMessage, validateReply, type FleetFields, type FleetOp, type FleetReply, type FleetRequest } from "./protocol";

interface Pending {
  resolve(reply: FleetReply): void;
  timer: NodeJS.Timeout;
}

/** How long a request nobody heard on a cluster is sent again before the instance counts as not listening. */
const PUBLISH_RETRY_MS = 2_000;

/** Requests waiting for an answer at once; more are refused rather than queued. */
const MAX_PENDING = 10_000;

/**
 * The caller's side of routing: publishes a request on one instance's control channel and waits
 * for the answer with the same id on this caller's reply channel. PUBLISH says how many listened:
 * none means the instance is not there (at once on one Redis; on a cluster once 2 s of tries
 * found nobody, see FleetBus.publishHeard); else the instance's answer, or a timeout.
 */
export class FleetRpc {
  readonly caller = randomBytes(9).toString("base64url");
  private readonly pending = new Map<string, Pending>();
  private subscribed: Promise<unknown> | undefined;
  private seq = 0;

  constructor(
    private readonly bus: FleetBus,
    private readonly keys: FleetKeys,
  ) {
    bus.on("message", (channel: string, text: string) => {
      if (channel === keys.reply(this.caller)) this.onReply(text);
    });
  }

  /**
   * Sends one request to `instance` and resolves with its answer; rejects with InstanceUnreachableError.
   * `signal` aborted while the answer is awaited (the caller's client went away) sends the instance a
   * `cancel` naming the request, which stops a profile early; the answer is still awaited.
   */
  async call(instance: string, op: FleetOp, fields: FleetFields, timeoutMs: number, signal?: AbortSignal): Promise<FleetReply> {
    this.subscribed ??= this.bus.subscribe([this.keys.reply(this.caller)]).catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    await this.subscribed;
    if (this.pending.size >= MAX_PENDING)
      throw new InstanceUnreachableError(instance, `not asked: ${MAX_PENDING} requests already wait for answers`);
    const rid = `${this.caller}-${++this.seq}`;
    const answer = new Promise<FleetReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        resolve({ rid, status: 504 });
      }, timeoutMs);
      this.pending.set(rid, { resolve, timer });
    });
    const request: FleetRequest = { rid, caller: this.caller, op, ...fields, deadline: Date.now() + timeoutMs };
    let receivers: number;
    try {
      // On a cluster, nobody heard may mean the instance's subscriber is moving to a new master
      // (a failover): sent again for a while; the instance carries out a request id once.
      receivers = await this.bus.publishHeard(this.keys.control(instance), JSON.stringify(request), Math.min(PUBLISH_RETRY_MS, timeoutMs));
    } catch (error) {
      this.settle(rid);
      throw error;
    }
    if (receivers === 0) {
      this.settle(rid);
      throw new InstanceUnreachableError(instance, "is not listening (gone, or disconnected from Redis)");
    }
    const cancel = () => {
      if (!this.pending.has(rid)) return;
      const request: FleetRequest = { rid: `${this.caller}-${++this.seq}`, caller: this.caller, op: "cancel", id: rid };
      this.bus.publish(this.keys.control(instance), JSON.stringify(request)).catch(() => undefined);
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    const reply = await answer.finally(() => signal?.removeEventListener("abort", cancel));
    if (reply.status === 504 && reply.error === undefined) throw new InstanceUnreachableError(instance, unansweredWithin(timeoutMs), true);
    return reply;
  }

  /** Drops every waiting request (they time out as unanswered). */
  close(): void {
    for (const rid of [...this.pending.keys()]) this.settle(rid, { rid, status: 504 });
  }

  private onReply(text: string): void {
    const reply = readMessage(text, validateReply);
    if (reply !== undefined) this.settle(reply.rid, reply);
  }

  private settle(rid: string, reply?: FleetReply): void {
    const pending = this.pending.get(rid);
    if (pending === undefined) return;
    this.pending.delete(rid);
    clearTimeout(pending.timer);
    if (reply !== undefined) pending.resolve(reply);
  }
}
