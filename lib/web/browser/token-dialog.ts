import type { Api } from "./api";
import { byId } from "./dom";

/**
 * Asks for the server's bearer token when it answers 401. The token is kept in sessionStorage,
 * for this tab only; "Forget" drops it.
 */
export class TokenDialog {
  private readonly dialog = byId<HTMLDialogElement>("token-dialog");
  private readonly input = byId<HTMLInputElement>("token-input");
  private readonly reason = byId("token-reason");

  constructor(
    private readonly api: Api,
    changed: () => void,
  ) {
    byId<HTMLFormElement>("token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.api.token = this.input.value.trim();
      this.dialog.close();
      changed();
    });
    byId("token-forget").addEventListener("click", () => {
      this.api.token = null;
      this.dialog.close();
      changed();
    });
    byId("token-button").addEventListener("click", () => this.open(""));
  }

  open(reason: string): void {
    if (this.dialog.open) return;
    this.reason.textContent = reason;
    this.reason.hidden = reason === "";
    this.input.value = "";
    this.dialog.showModal();
    this.input.focus();
  }
}
