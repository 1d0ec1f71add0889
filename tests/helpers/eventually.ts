/** Polls an async check until it returns true; the error names what was awaited and what was seen last. */
export async function eventually(
	check: () => Promise<boolean>,
	what: string,
	timeoutMs = 10_000,
	describeLast: () => string = () => ''
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() >= deadline)
			throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}${describeLast() ? `; last seen: ${describeLast()}` : ''}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
