import { container, type Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ChannelType, channelMention, type SlashCommandBuilder, type SlashCommandOptionsOnlyBuilder } from 'discord.js';
import { formatDelay } from '../../lib/autorole/delay.js';
import { GREETING_VARIANTS } from '../../lib/guild-settings.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { EMBED_DESCRIPTION_LIMIT } from '../../lib/templates/placeholders.js';
import { EMBED_LIMITS } from '../../lib/welcome/embed.js';
import { EMBED_FOOTER_LIMIT, EMBED_TITLE_LIMIT, type GreetingKind } from '../../lib/welcome/message.js';
import { greetingSettingsFrom } from '../../lib/welcome/setup.js';

/** Shared by /setup-welcome and /setup-goodbye: the options (described by localizeCommand), and the checks that refuse a bad setup with its reason. */
export function addGreetingOptions(builder: SlashCommandBuilder, kind: GreetingKind): SlashCommandBuilder {
	builder
		.addChannelOption((option) =>
			option.setName('channel').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)
		)
		// Not required: pasted embed JSON may bring the text (its description).
		.addStringOption((option) => option.setName('message').setMaxLength(EMBED_DESCRIPTION_LIMIT))
		.addStringOption((option) => option.setName('banner').setMaxLength(2000))
		.addBooleanOption((option) => option.setName('embed'))
		.addStringOption((option) => option.setName('title').setMaxLength(EMBED_TITLE_LIMIT))
		.addStringOption((option) => option.setName('footer').setMaxLength(EMBED_FOOTER_LIMIT))
		.addStringOption((option) => option.setName('colour').setMaxLength(7))
		.addStringOption((option) => option.setName('content').setMaxLength(2000))
		.addStringOption((option) => option.setName('thumbnail').setMaxLength(2000))
		.addStringOption((option) => option.setName('author').setMaxLength(EMBED_LIMITS.authorName))
		// An option's string can hold 6000 characters (discord-api-docs, interactions/application-commands.mdx).
		.addStringOption((option) => option.setName('embed-json').setMaxLength(6000));
	// A text per way the member came (falls back to `message`): invite-message, vanity-message, unknown-message, bot-message.
	for (const variant of GREETING_VARIANTS)
		builder.addStringOption((option) => option.setName(`${variant}-message`).setMaxLength(EMBED_DESCRIPTION_LIMIT));
	if (kind === 'welcome')
		builder
			.addBooleanOption((option) => option.setName('dm'))
			.addBooleanOption((option) => option.setName('after-screening'))
			// Durations like 10m, 1h30m (parseDelay, at most 7d).
			.addStringOption((option) => option.setName('delete-if-left-within').setMaxLength(20))
			.addStringOption((option) => option.setName('delete-after').setMaxLength(20));
	return builder;
}

/** The `kind` option of /welcome-test and /welcome-disable: which greeting (welcome when left out). */
export function addGreetingKindOption(builder: SlashCommandBuilder, withBoth = false): SlashCommandOptionsOnlyBuilder {
	const kinds = ['welcome', 'goodbye', ...(withBoth ? ['both'] : [])];
	// The choice names are filled in by localizeCommand (commands:<command>.options.kind.choices.<value>).
	return builder.addStringOption((option) => option.setName('kind').addChoices(...kinds.map((value) => ({ name: value, value }))));
}

export { placeholderHelp } from '../../lib/welcome/setup.js';

export async function runGreetingSetup(interaction: Command.ChatInputCommandInteraction<'cached'>, kind: GreetingKind): Promise<void> {
	// The settings are written before the answer: acknowledged first (3 s deadline).
	await deferFirst(interaction, { ephemeral: true });
	const t = await fetchT(interaction);
	const channel = interaction.options.getChannel('channel', true);
	const option = (name: string) => interaction.options.getString(name);
	const variants = Object.fromEntries(GREETING_VARIANTS.map((variant) => [variant, option(`${variant}-message`)]));
	const settings = greetingSettingsFrom(t, interaction.guild, kind, {
		channelId: channel.id,
		message: option('message'),
		banner: option('banner'),
		embed: interaction.options.getBoolean('embed'),
		title: option('title'),
		footer: option('footer'),
		colour: option('colour'),
		content: option('content'),
		thumbnail: option('thumbnail'),
		author: option('author'),
		embedJson: option('embed-json'),
		variants,
		dm: interaction.options.getBoolean('dm'),
		afterScreening: interaction.options.getBoolean('after-screening'),
		deleteIfLeftWithin: option('delete-if-left-within'),
		deleteAfter: option('delete-after')
	});
	const { deleteIfLeftWithinMs, deleteAfterMs } = settings;

	await container.welcome.configure(interaction.guildId, kind, settings);
	const extras = [
		settings.banner ? t('welcome:setup.extras.banner', { banner: settings.banner }) : null,
		settings.embed ? t('welcome:setup.extras.embed') : null,
		settings.dm ? t('welcome:setup.extras.dm') : null,
		settings.afterScreening === false ? t('welcome:setup.extras.atJoin') : null,
		settings.variants ? t('welcome:setup.extras.variants', { variants: Object.keys(settings.variants).join(', ') }) : null,
		deleteIfLeftWithinMs ? t('welcome:setup.extras.deleteIfLeft', { delay: formatDelay(deleteIfLeftWithinMs) }) : null,
		deleteAfterMs ? t('welcome:setup.extras.deleteAfter', { delay: formatDelay(deleteAfterMs) }) : null
	].filter((extra): extra is string => extra !== null);
	const where = channelMention(channel.id);
	await interaction.editReply({
		content: extras.length
			? t(`welcome:setup.doneWithExtras.${kind}`, { channel: where, extras: extras.join(', ') })
			: t(`welcome:setup.done.${kind}`, { channel: where }),
		allowedMentions: { parse: [] }
	});
}
