import { container, type SapphireClient } from '@sapphire/framework';
import { AutoRoleService } from './autorole/service.js';
import { onDataRestored } from './data/reload.js';
import { DiscordGiveaways } from './giveaways/discord.js';
import { GiveawayService } from './giveaways/service.js';
import { InviteAnnouncements } from './invites/announcements.js';
import { DiscordInviteSource } from './invites/discord-source.js';
import { InviteTracker } from './invites/tracker.js';
import { ScreeningHolds } from './screening.js';
import { describeError } from './secrets.js';
import { GreetingOrder } from './welcome/order.js';
import { WelcomeCleanup } from './welcome/cleanup.js';
import { WelcomeService } from './welcome/service.js';

/**
 * Starts the built-in features' services once storage is open and before login, so every listener and command can
 * rely on them. One block per feature; each service lives in src/lib/<feature>/ and is exposed on the container
 * (declared in src/lib/container.ts).
 */
export async function startFeatures(client: SapphireClient): Promise<void> {
	const { storage, logger } = container;

	let announcements: InviteAnnouncements | undefined;
	const loadInvites = async () => {
		const tracker = await InviteTracker.load(storage, new DiscordInviteSource(client), logger);
		announcements = new InviteAnnouncements(client, storage, tracker, logger);
		// Joins found at start (made while the bot was away) get what any join gets: welcome, auto-roles.
		tracker.onCaughtUpJoin = (guildId, memberId, record) => {
			client.guilds.cache
				.get(guildId)
				?.members.fetch(memberId)
				.then(async (member) => {
					client.emit('inviteTrackedJoin', member, record);
					await container.autoroles.memberJoined(member);
				})
				.catch((error: Error) =>
					logger.warn(`Member ${memberId} of guild ${guildId} who joined while the bot was away could not be fetched: ${error.message}`)
				);
		};
		return tracker;
	};
	container.invites = await loadInvites();
	// Stopped after invite tracking (which may still record queued joins) and before storage closes.
	container.services?.add('invite announcements', () => announcements?.stop());
	// Stopped after the services started below (newest first) and before storage closes: its queued joins are written.
	container.services?.add('invite tracking', () => container.invites.stop());
	onDataRestored('invites', async () => {
		const previous = container.invites;
		// Its queued joins and leaves happened: written into the restored data before the new tracker reads it.
		await previous.stop();
		// Its lines, roles and milestone marks are for the data before the restore: finished, then nothing more.
		await announcements?.stop();
		container.invites = await loadInvites();
		for (const [guildId, reason] of previous.unavailable) container.invites.unavailable.set(guildId, reason);
		// The restored invite snapshot is from the backup's time: take a fresh baseline so the next join is attributed right.
		await Promise.all([...client.guilds.cache.keys()].map((guildId) => container.invites.refresh(guildId)));
	});

	// Members still in rules screening: their auto-roles and welcome wait (stored) until they pass it.
	const screening = new ScreeningHolds(storage, logger);
	await screening.start();
	screening.onPassed = async (member, hold) => {
		if (hold.autoroles)
			await container.autoroles
				.memberJoined(member)
				.catch((error) => logger.error(`Auto-roles of ${member.id} in guild ${member.guild.id} failed: ${describeError(error)}`));
		if (hold.welcome)
			await container.welcome
				.welcome(member, hold.welcome)
				.catch((error) => logger.error(`Welcome of ${member.id} in guild ${member.guild.id} failed: ${describeError(error)}`));
	};
	container.screening = screening;

	// Welcome/goodbye read their settings per event; auto-roles load their pending grants on ready (listeners/autoroles).
	// Welcomes to delete later are stored; scheduled again on ready (listeners/welcome).
	container.welcomeCleanup = new WelcomeCleanup(storage, client, logger);
	container.welcome = new WelcomeService(storage, container.invites, logger, screening, container.welcomeCleanup);
	container.greetings = new GreetingOrder();
	// Welcome messages name the inviter through the tracker, so they follow a reloaded one.
	onDataRestored('welcome', async () => {
		container.welcome = new WelcomeService(storage, container.invites, logger, screening, container.welcomeCleanup);
		// The welcomes waiting to be deleted are the restored ones now.
		await container.welcomeCleanup.start();
	});
	container.autoroles = new AutoRoleService(storage, client, logger, undefined, screening);
	// Delayed grants wait in memory: after a restore, wait for the restored ones instead.
	onDataRestored('autoroles', async () => void (await container.autoroles.reload()));
	onDataRestored('screening', async () => void (await screening.start()));

	// Giveaways keep only timers in memory: scheduled from storage once the client is ready (listeners/giveaways) and
	// read again by a sweep every 30 s; a restore sweeps at once.
	container.giveaways = new GiveawayService(storage, new DiscordGiveaways(client), logger, { retentionMs: container.config.giveawayRetentionMs });
	onDataRestored('giveaways', () => container.giveaways.reload());

	// Stopped at shutdown before storage closes (src/lib/shutdown.ts); read from the container, which a restore updates.
	container.services?.add('auto-roles', () => container.autoroles.stop());
	container.services?.add('welcome cleanup', () => container.welcomeCleanup.stop());
	container.services?.add('giveaways', () => container.giveaways.stop());
}
