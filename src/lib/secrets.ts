// Values that must never reach a log line, whatever printed them (our code, discord.js, an error message).
const secrets = new Set<string>();

export function addSecret(value: string | null | undefined): void {
	// Very short values would redact ordinary words; tokens are long.
	if (value && value.length >= 8) secrets.add(value);
}

export function redactSecrets(text: string): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	return result;
}

/** One readable line for an error of any shape, secrets removed. */
export function describeError(error: unknown): string {
	return redactSecrets(
		rawDescription(error)
			.replace(/\s*\n\s*/g, ' ')
			.trim() || 'unknown error'
	);
}

function rawDescription(error: unknown): string {
	if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
		// e.g. a connection refused on both 127.0.0.1 and ::1 arrives as an AggregateError without a message.
		return rawDescription(error.errors[0]);
	}
	if (error instanceof Error) {
		const { code } = error as NodeJS.ErrnoException;
		if (error.message === '') return code ?? error.name;
		return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
	}
	return String(error);
}
