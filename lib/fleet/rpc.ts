import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { InstanceUnreachableError, unansweredWithin } from "./errors";
import type { FleetKeys } from "./keys";
import { readMessage, validateReply, type FleetFields, type FleetOp, type FleetReply, type FleetRequest } from "./protocol";

interface Pending {
  resolve(reply: FleetReply): void;
  timer: NodeJS.Timeout;
}

/** Requests waiting for an answer at once; more are refused rather than queued. */
const MAX_PENDING = 10_000;

/**
 * The caller's side of routing: publishes a request on one instance's control channel and waits
 * for the answer with the same id on this caller's reply channel. PUBLISH says how many listened:
 * none means the instance is not there, at once; else the instance's answer, or a timeout.
 */
export class FleetRpc {
  readonly caller = randomBytes(9).toString("base64url");
  private readonly pending = new Map<string, Pending>();
  private subscribed: Promise<unknown> | undefined;
  private seq = 0;

  constructor(
    private readonly command: Redis,
    private readonly subscriber: Redis,
    private readonly keys: FleetKeys,
  ) {
    subscriber.on("message", (channel: string, text: string) => {
      if (channel === keys.reply(this.caller)) this.onReply(text);
    });
  }

  /** Sends one request to `instance` and resolves with its answer; rejects with InstanceUnreachableError. */
  async call(instance: string, op: FleetOp, fields: FleetFields, timeoutMs: number): Promise<FleetReply> {
    this.subscribed ??= this.subscriber.subscribe(this.keys.reply(this.caller)).catch((error: unknown) => {
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
      receivers = await this.command.publish(this.keys.control(instance), JSON.stringify(request));
    } catch (error) {
      this.settle(rid);
      throw error;
    }
    if (receivers === 0) {
      this.settle(rid);
      throw new InstanceUnreachableError(instance, "is not listening (gone, or disconnected from Redis)");
    }
    const reply = await answer;
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
