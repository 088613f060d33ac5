/**
 * The object's one alarm, written as seldom as possible. The alarm only ever needs to fire
 * *no later than* the earliest job (session deadline, replication flush or retry, rescue of
 * a parked turn), and `alarm()` works out what is due and sets the next one. So a turn whose
 * jobs are all after the alarm already set writes nothing, and a job that moved later is
 * left to an early, harmless wake-up instead of a second write.
 */
export class AlarmSchedule {
  /** When the stored alarm fires; null: none; undefined: not read yet in this instance. */
  private at: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Reads the stored alarm once per instance, so `fireBy` can decide without awaiting. */
  async load(): Promise<void> {
    if (this.at === undefined) this.at = await this.storage.getAlarm();
  }

  /**
   * Makes sure the alarm fires at `time` or earlier. Returns the write to await, or null
   * when the alarm already fires in time. Call `load()` first.
   */
  fireBy(time: number | null): Promise<void> | null {
    if (time === null || (this.at !== undefined && this.at !== null && this.at <= time)) return null;
    this.at = time;
    return this.storage.setAlarm(time);
  }

  /** The stored alarm has fired (workerd clears it before calling `alarm()`). */
  fired(): void {
    this.at = null;
  }

  /** Nothing is left to do: drop the alarm so the object is not woken for nothing. */
  async clear(): Promise<void> {
    await this.load();
    if (this.at === null) return;
    this.at = null;
    await this.storage.deleteAlarm();
  }
}

/** The earliest of the given times, or null when none is set. */
export function earliest(...times: (number | null | undefined)[]): number | null {
  let min: number | null = null;
  for (const t of times) if (t !== null && t !== undefined && (min === null || t < min)) min = t;
  return min;
}
