/**
 * Runs tasks one after another. The seed handled a socket's frames strictly in order, each
 * to completion (model calls included); a Durable Object interleaves at every await, so the
 * adapter queues frames to keep the seed's ordering. A failing task does not stop the queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth += 1;
    const result = this.tail.then(task).finally(() => {
      this.depth -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  get size(): number {
    return this.depth;
  }
}
