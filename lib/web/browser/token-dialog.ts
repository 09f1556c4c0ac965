import type { Api } from "./api";
import { byId } from "./dom";

/**
 * Asks for the server's bearer token when it answers 401. The token is kept in sessionStorage,
 * for this tab only; "Forget" drops it. The header's Token button is shown only once a token
 * matters: the server asked for one, or the tab holds one (so it can be changed or forgotten).
 */
export class TokenDialog {
  private readonly dialog = byId<HTMLDialogElement>("token-dialog");
  private readonly input = byId<HTMLInputElement>("token-input");
  private readonly reason = byId("token-reason");
  private readonly button = byId<HTMLButtonElement>("token-button");

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
    this.button.addEventListener("click", () => this.open(""));
    this.button.hidden = api.token === null;
  }

  open(reason: string): void {
    this.button.hidden = false;
    if (this.dialog.open) return;
    this.reason.textContent = reason;
    this.reason.hidden = reason === "";
    this.input.value = "";
    this.dialog.showModal();
    this.input.focus();
  }
}
