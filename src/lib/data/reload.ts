/**
 * Features keep state in memory (invite counts, timers); after a restore replaced the stored data underneath them
 * they must reload it. Each feature registers a reloader in src/lib/features.ts; /restore-data runs them all.
 */
export type DataReloader = () => Promise<void>;

export interface ReloadResult {
	feature: string;
	/** Why the feature could not reload; it keeps running on what it had. */
	error?: string;
}

const reloaders = new Map<string, DataReloader>();

/** Registers (or replaces) how `feature` reloads its state from storage. */
export function onDataRestored(feature: string, reload: DataReloader): void {
	reloaders.set(feature, reload);
}

/** Runs every reloader in registration order; one failing does not stop the others. */
export async function reloadFeatureData(): Promise<ReloadResult[]> {
	const results: ReloadResult[] = [];
	for (const [feature, reload] of reloaders) {
		try {
			await reload();
			results.push({ feature });
		} catch (error) {
			results.push({ feature, error: (error as Error).message });
		}
	}
	return results;
}
