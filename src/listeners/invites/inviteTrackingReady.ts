import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';

/** Big bots are rate limited on invite fetches at startup: a few guilds at a time. */
const STARTUP_CONCURRENCY = 4;

/** Takes a baseline of every guild's invites once connected, so the first joins can be attributed. */
@ApplyOptions<Listener.Options>({ event: Events.ClientReady, once: true })
export class InviteTrackingReadyListener extends Listener<typeof Events.ClientReady> {
	public override async run(client: Client<true>): Promise<void> {
		const guildIds = [...client.guilds.cache.keys()];
		const work = guildIds.values();
		const worker = async () => {
			for (const guildId of work)
				await this.container.invites
					.refresh(guildId)
					.catch((error) => this.container.logger.warn(`Invite baseline of guild ${guildId} failed: ${(error as Error).message}`));
		};
		await Promise.all(Array.from({ length: Math.min(STARTUP_CONCURRENCY, guildIds.length) }, worker));
		const unreadable = guildIds.filter((guildId) => this.container.invites.unavailable.has(guildId)).length;
		// The catch-up reads whole member lists without caching them; the count shows memory stays small on big servers.
		const cached = client.guilds.cache.reduce((sum, guild) => sum + guild.members.cache.size, 0);
		this.container.logger.info(
			`Invite tracking ready: ${guildIds.length - unreadable} guilds tracked${unreadable ? `, ${unreadable} without permission to read invites` : ''}, ${cached} members cached`
		);
	}
}
