/** Polls `check` until it returns something other than undefined/false; the error says what was awaited and what was seen. */
export async function waitUntil<T>(check: () => T | undefined | false, timeoutMs: number, describe: () => string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = check();
		if (result !== undefined && result !== false) return result;
		if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs}ms waiting for ${describe()}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
