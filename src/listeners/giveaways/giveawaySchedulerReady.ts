import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { describeError } from '../../lib/secrets.js';

/** Giveaways are scheduled from storage once the guilds are known; those whose end passed while the bot was down end now. */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class GiveawaySchedulerReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(): Promise<void> {
		await this.container.giveaways
			.startScheduling()
			.catch((error) => this.container.logger.error(`Giveaways could not be scheduled: ${describeError(error)}`));
	}
}
