/**
 * Runs synchronous work behind a Promise-returning contract (Keyv store, storage backend) the way an `async` function
 * would: the work runs now, its value resolves the promise and a throw rejects it instead of escaping to the caller.
 */
export function settled<T>(work: () => T | Promise<T>): Promise<T> {
	return new Promise<T>((resolve) => resolve(work()));
}
