/** Runs tasks one after another per key, so a read-modify-write of one key never interleaves with another in this process. */
export class KeyLock {
	private readonly tails = new Map<string, Promise<unknown>>();

	public run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.tails.get(key) ?? Promise.resolve();
		const result = previous.then(task, task);
		const tail = result.catch(() => undefined);
		this.tails.set(key, tail);
		// Forget the key once nothing is queued behind this task, so the map does not grow with every key ever touched.
		void tail.then(() => {
			if (this.tails.get(key) === tail) this.tails.delete(key);
		});
		return result;
	}
}
