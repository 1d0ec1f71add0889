import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';

/** Members held for screening who passed it (or left) while the bot was away: asked about once connected. */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class ScreeningReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(client: Client<true>): Promise<void> {
		await this.container.screening.recheck(client);
	}
}
