import type { Task } from "./task";

/**
 * Ends the tasks of async generators dropped before their iteration ended: a consumer that stops
 * reading without calling `return()` (what a stream does when its own client goes away) leaves the
 * generator suspended, and nothing would ever end its task. The task ends, aborted, when the
 * garbage collector reclaims the generator.
 */
class AbandonedIterations {
  private readonly registry = new FinalizationRegistry<Task>((task) => {
    task.owner.end(
      task,
      task.cancel === undefined ? "aborted" : "killed",
      new Error("abandoned: the async generator was dropped before its iteration ended (collected without return())"),
    );
  });

  /** Watches `generator` on behalf of `task`; returns the function to call once the iteration ended normally. */
  watch(generator: object, task: Task): () => void {
    const token = {};
    this.registry.register(generator, task, token);
    return () => this.registry.unregister(token);
  }
}

export const abandonedIteration = new AbandonedIterations();
