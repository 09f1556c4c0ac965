import { Attr, Status, Tracked } from "../../lib";

/**
 * The method under test, bare: three phase methods called from an entry point taking three
 * arguments. Its tracked twin below is the same code with proclist's decorators.
 */
export class BareOrders {
  async place(user: string, item: string, qty: number): Promise<number> {
    this.validate(user);
    this.reserve(item);
    this.charge(qty);
    return qty;
  }

  placeSync(user: string, item: string, qty: number): number {
    this.validate(user);
    this.reserve(item);
    this.charge(qty);
    return qty;
  }

  validate(_user: string): void {}
  reserve(_item: string): void {}
  charge(_qty: number): void {}
}

/** BareOrders with `@Tracked` (3 `@Attr`) on the entry points and `@Status` on the phases. */
export class TrackedOrders {
  @Tracked()
  async place(@Attr("user") user: string, @Attr("item") item: string, @Attr("qty") qty: number): Promise<number> {
    this.validate(user);
    this.reserve(item);
    this.charge(qty);
    return qty;
  }

  @Tracked()
  placeSync(@Attr("user") user: string, @Attr("item") item: string, @Attr("qty") qty: number): number {
    this.validate(user);
    this.reserve(item);
    this.charge(qty);
    return qty;
  }

  @Status("validating")
  validate(_user: string): void {}
  @Status("reserving")
  reserve(_item: string): void {}
  @Status("charging")
  charge(_qty: number): void {}
}
