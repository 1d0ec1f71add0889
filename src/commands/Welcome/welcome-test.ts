import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { channelMention, MessageFlags, time, TimestampStyles } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { bannerExpiry, type GreetingKind } from '../../lib/welcome/message.js';
import type { GreetingOutcome } from '../../lib/welcome/service.js';
import { describeProblem } from '../../lib/welcome/status.js';
import { addGreetingKindOption, placeholderHelp } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand())
export class WelcomeTestCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(addGreetingKindOption(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const kind = (interaction.options.getString('kind') ?? 'welcome') as GreetingKind;
		// Drawing the card and fetching the avatar can take longer than Discord's 3 seconds for a first answer.
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
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
			? `\n\n${t(expiry.getTime() <= Date.now() ? 'welcome:test.bannerExpired' : 'welcome:test.bannerExpires', { when: time(expiry, TimestampStyles.RelativeTime), command: `/setup-${kind}` })}`
			: '';
		await interaction.editReply({ content: `${describeOutcome(t, kind, outcome)}${warning}`, allowedMentions: { parse: [] } });
		// The preview, exactly as members get it (text, embed, card), seen only by the admin.
		if (outcome.status === 'sent') {
			const { content, embeds, files } = outcome.message;
			await interaction.followUp({ content, embeds, files, allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral });
		}
	}
}

function describeOutcome(t: TFunction, kind: GreetingKind, outcome: GreetingOutcome): string {
	switch (outcome.status) {
		case 'not-configured':
			return t(`welcome:test.off.${kind}`, { help: placeholderHelp(t) });
		case 'problem': {
			const { problem } = outcome;
			const reason = describeProblem(t, problem);
			if (problem.missed === 0) return t(`welcome:test.problem.${kind}`, { reason });
			const since = time(Math.floor(problem.since / 1000), TimestampStyles.RelativeTime);
			return t(`welcome:test.problemMissed.${kind}`, { reason, count: problem.missed, since });
		}
		case 'held-for-screening':
			return t(`welcome:test.held.${kind}`);
		case 'sent': {
			const channel = channelMention(outcome.channelId);
			if (outcome.dm === 'sent') return t('welcome:test.sentWithDm', { channel });
			if (outcome.dm === 'failed') return t('welcome:test.sentDmFailed', { channel });
			return t(`welcome:test.sent.${kind}`, { channel });
		}
	}
}
