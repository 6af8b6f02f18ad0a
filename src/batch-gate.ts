// Bounds the batch items the gateway holds in flight, across requests: a
// batch holds its items, their records and their answer until it is sent, so
// concurrent batches, not one, are what drive the gateway's memory. A batch
// that would pass the bound waits, in arrival order, for earlier ones to
// finish; one larger than the bound runs when it is alone.

export class BatchGate {
  private inFlight = 0
  private readonly waiting: Array<{ items: number, admit: () => void }> = []

  constructor (readonly maxItems: number) {}

  /** Resolves once `items` may run; call the returned release when they are done. */
  async enter (items: number): Promise<() => void> {
    if (this.waiting.length > 0 || !this.fits(items)) {
      await new Promise<void>((resolve) => this.waiting.push({ items, admit: resolve }))
    } else {
      this.inFlight += items
    }
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight -= items
      this.admitWaiting()
    }
  }

  private fits (items: number): boolean {
    return this.inFlight === 0 || this.inFlight + items <= this.maxItems
  }

  private admitWaiting (): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0].items)) {
      const next = this.waiting.shift() as { items: number, admit: () => void }
      this.inFlight += next.items
      next.admit()
    }
  }
}
