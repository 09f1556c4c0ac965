/**
 * Coalesces redraws: any number of changes between two animation frames cost one redraw, so a
 * burst of thousands of events touches the DOM once per frame.
 */
export class FrameScheduler {
  private pending = false;

  constructor(private readonly draw: () => void) {}

  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }
}
