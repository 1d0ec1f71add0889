import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, type ListenerErrorPayload } from '@sapphire/framework';
import { redactSecrets } from '../../lib/secrets.js';

/** A listener threw (a join, a leave, a ready task): log it with the listener's name; the bot keeps running. */
@ApplyOptions<Listener.Options>({ event: Events.ListenerError })
export class ListenerErrorListener extends Listener<typeof Events.ListenerError> {
	public override run(error: unknown, { piece }: ListenerErrorPayload): void {
		this.container.logger.error(
			`Listener ${piece.name} failed: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`
		);
	}
}
