import { watchFetch } from "./fetch";
import { watchHttpClients } from "./http-client";
import { watchTracedClients } from "./traced-clients";

let watching = false;

/**
 * Subscribes, once per process, to every channel waits are taken from. Loaded with proclist: an
 * operation outside any task then costs its channel's publish and one context read. Whether a
 * task records waits is its manager's `waits` option.
 */
export function watchWaits(): void {
  if (watching) return;
  watching = true;
  watchFetch();
  watchHttpClients();
  watchTracedClients();
}
