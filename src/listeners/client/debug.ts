import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener, LogLevel } from '@sapphire/framework';
import { redactSecrets } from '../../lib/secrets.js';

/** discord.js internals at LOG_LEVEL=trace, with the token redacted whatever discord.js prints. */
@ApplyOptions<Listener.Options>(({ container }) => ({ event: Events.Debug, enabled: container.logger.has(LogLevel.Trace) }))
export class DebugListener extends Listener<typeof Events.Debug> {
	public override run(message: string): void {
		this.container.logger.trace(`discord.js: ${redactSecrets(message)}`);
	}
}
