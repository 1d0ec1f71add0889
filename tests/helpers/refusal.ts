import { UserError } from '@sapphire/framework';

/** The language key of the refusal `run` throws (src/lib/interaction-reply.ts refusal); fails when it does not refuse. */
export function refusalKey(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		if (error instanceof UserError) return error.identifier;
		throw error;
	}
	throw new Error('not refused');
}
