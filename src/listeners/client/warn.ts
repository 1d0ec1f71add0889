import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { redactSecrets } from '../../lib/secrets.js';

@ApplyOptions<Listener.Options>({ event: Events.Warn })
export class WarnListener extends Listener<typeof Events.Warn> {
	public override run(message: string): void {
		this.container.logger.warn(`discord.js: ${redactSecrets(message)}`);
	}
}
