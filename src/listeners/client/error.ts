import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { describeError } from '../../lib/secrets.js';

/** An 'error' event nobody listens to would crash the process; a gateway hiccup is logged instead. */
@ApplyOptions<Listener.Options>({ event: Events.Error })
export class ClientErrorListener extends Listener<typeof Events.Error> {
	public override run(error: Error): void {
		this.container.logger.error(`discord.js client error: ${describeError(error)}`);
	}
}
