import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { channelMention, MessageFlags, time, TimestampStyles } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { bannerExpiry, GREETING_LABEL, type GreetingKind } from '../../lib/welcome/message.js';
import type { GreetingOutcome } from '../../lib/welcome/service.js';
import { addGreetingKindOption, placeholderHelp } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand('Send the welcome (or goodbye) message for yourself, as a preview'))
export class WelcomeTestCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			addGreetingKindOption(
				inGuildsOnly(builder).setName(this.name).setDescription(this.description).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS),
				'Which message'
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const kind = (interaction.options.getString('kind') ?? 'welcome') as GreetingKind;
		// Drawing the card and fetching the avatar can take longer than Discord's 3 seconds for a first answer.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const { welcome, invites } = this.container;
		const outcome =
			kind === 'welcome'
				? await welcome.welcome(interaction.member, (await invites.history(interaction.guildId, interaction.user.id))?.joins.at(-1) ?? null, {
						test: true
					})
				: await welcome.goodbye(interaction.member, { test: true });
		const expiry = bannerExpiry((await welcome.settings(interaction.guildId))[kind]?.banner ?? null);
		// A signed Discord CDN link (often imported from Supreme-BOT2) stops working; say so before it does.
		const warning = expiry
			? `\n\nWarning: the banner is a Discord CDN link that ${expiry.getTime() <= Date.now() ? 'expired' : 'expires'} ${time(expiry, TimestampStyles.RelativeTime)}. Upload the image somewhere permanent and run \`/setup-${kind}\` with its URL.`
			: '';
		await interaction.editReply({ content: `${describeOutcome(kind, outcome)}${warning}`, allowedMentions: { parse: [] } });
	}
}

function describeOutcome(kind: GreetingKind, outcome: GreetingOutcome): string {
	switch (outcome.status) {
		case 'not-configured':
			return `${GREETING_LABEL[kind]} messages are off. Set them up with \`/setup-${kind}\`.\n\nPlaceholders:\n${placeholderHelp()}`;
		case 'problem': {
			const { problem } = outcome;
			const missed =
				problem.missed > 0
					? ` ${problem.missed} member message${problem.missed === 1 ? ' was' : 's were'} not sent since ${time(Math.floor(problem.since / 1000), TimestampStyles.RelativeTime)}.`
					: '';
			return `The ${kind} message could not be sent: ${problem.message}.${missed}`;
		}
		case 'held-for-screening':
			return `The ${kind} message waits until the member passes the server's rules screening.`;
		case 'sent': {
			const dm = outcome.dm === 'sent' ? ' and to you by DM' : outcome.dm === 'failed' ? ' (the DM failed: are your DMs open?)' : '';
			return `The ${kind} message was sent to ${channelMention(outcome.channelId)}${dm}.`;
		}
	}
}
