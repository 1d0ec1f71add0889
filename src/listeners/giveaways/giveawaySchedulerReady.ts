import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { LegacyGiveaways } from '../../lib/legacy/giveaways.js';
import { describeError } from '../../lib/secrets.js';

/**
 * Giveaways are scheduled from storage once the guilds are known; those whose end passed while the bot was down end
 * now. Then Supreme-BOT2's giveaways waiting since an import are looked for (src/lib/legacy/giveaways.ts).
 */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class GiveawaySchedulerReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(): Promise<void> {
		const { giveaways, storage, client, logger } = this.container;
		await giveaways.startScheduling().catch((error) => logger.error(`Giveaways could not be scheduled: ${describeError(error)}`));
		const legacy = new LegacyGiveaways(storage, client, logger, {
			reload: () => this.container.giveaways.reload(),
			render: (id) => this.container.giveaways.renderMessage(id)
		});
		await legacy
			.resolve()
			.catch((error) => logger.error(`Supreme-BOT2 giveaways not looked for: ${describeError(error)}; the next start tries again`));
	}
}
