/**
 * The fail-stop state both local adapters (the file journal, SQLite) share: after an I/O error (disk full, read-only,
 * EIO, permission) every write is refused with `storage is failing: <cause>` until a trial write succeeds, tried first
 * after FIRST_RETRY_MS and then at doubling intervals up to MAX_RETRY_MS. Refusing outright, instead of letting each
 * write meet the error again, keeps a write that fails from being half applied and tells callers the one true cause.
 */

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 30_000;

/** A write refused because the disk failed (full, read-only, I/O error) and has not taken a write since. */
export class StorageFailingError extends Error {
	public override readonly name = 'StorageFailingError';
	public constructor(cause: Error) {
		super(`storage is failing: ${cause.message}`, { cause });
	}
}

export class FailingState {
	private failure: { cause: Error; retryAt: number; delayMs: number } | null = null;

	/** The I/O error that stopped writes, while writes are stopped. */
	public get cause(): Error | null {
		return this.failure?.cause ?? null;
	}

	/** Whether writes are refused right now without trying the disk (the retry time has not come). */
	public get waiting(): boolean {
		return this.failure !== null && Date.now() < this.failure.retryAt;
	}

	/** The refusal for a write made while waiting. */
	public refusal(): StorageFailingError {
		return new StorageFailingError(this.failure!.cause);
	}

	/** Enters (or stays in) the failed state; a failure while retrying doubles the wait. */
	public fail(cause: Error): StorageFailingError {
		if (cause instanceof StorageFailingError) return cause;
		const delayMs = this.failure ? Math.min(MAX_RETRY_MS, this.failure.delayMs * 2) : FIRST_RETRY_MS;
		this.failure = { cause, retryAt: Date.now() + delayMs, delayMs };
		return new StorageFailingError(cause);
	}

	/** Refuses every write with `cause` until the process restarts. */
	public failForever(cause: Error): void {
		this.failure = { cause, retryAt: Number.POSITIVE_INFINITY, delayMs: MAX_RETRY_MS };
	}

	public recovered(): void {
		this.failure = null;
	}
}
