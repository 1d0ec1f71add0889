import { container, type Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { ChannelType, channelMention, type SlashCommandBuilder, type SlashCommandOptionsOnlyBuilder } from 'discord.js';
import { GREETING_VARIANTS, type GreetingSettings, type GreetingVariant } from '../../lib/guild-settings.js';
import { formatDelay, parseDelay } from '../../lib/autorole/delay.js';
import { deferFirst, refusal } from '../../lib/interaction-reply.js';
import { EMBED_DESCRIPTION_LIMIT, PLACEHOLDERS } from '../../lib/templates/placeholders.js';
import { explain } from '../../lib/templates/reasons.js';
import { EMBED_LIMITS, parseEmbedJson } from '../../lib/welcome/embed.js';
import { EMBED_FOOTER_LIMIT, EMBED_TITLE_LIMIT, greetingProblem, normalizeBanner, parseColor, type GreetingKind } from '../../lib/welcome/message.js';
import { channelProblem } from '../../lib/welcome/service.js';

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

/** The placeholders, one a line, described in the server's language. */
export function placeholderHelp(t: TFunction): string {
	return PLACEHOLDERS.map((placeholder) => `\`{${placeholder.name}}\` ${t(`welcome:placeholders.${placeholder.name.replace(':', '_')}`)}`).join(
		'\n'
	);
}

export async function runGreetingSetup(interaction: Command.ChatInputCommandInteraction<'cached'>, kind: GreetingKind): Promise<void> {
	// The settings are written before the answer: acknowledged first (3 s deadline).
	await deferFirst(interaction, { ephemeral: true });
	const t = await fetchT(interaction);
	const channel = interaction.options.getChannel('channel', true);
	const colourText = interaction.options.getString('colour');
	const color = colourText === null ? null : parseColor(colourText);
	if (colourText !== null && color === null) throw refusal('welcome:setup.notAColour', { colour: colourText });
	// Pasted embed JSON is the base; options given with it refine it.
	const json = interaction.options.getString('embed-json');
	const parsed = json === null ? null : parseEmbedJson(json);
	if (parsed && !parsed.ok) throw refusal('welcome:setup.refusedJson', { reason: explain(t, parsed.reason) });
	const design = parsed?.ok ? parsed.design : {};
	const option = (name: string) => interaction.options.getString(name);
	const title = option('title') ?? design.title ?? null;
	const footer = option('footer') ?? design.footer?.text ?? null;
	const content = option('content') ?? design.content ?? null;
	const thumbnail = option('thumbnail') ?? design.thumbnail ?? null;
	const authorName = option('author') ?? design.author?.name ?? null;
	const author = authorName === null ? null : { ...design.author, name: authorName };
	const colour = color ?? design.color ?? null;
	const template = option('message') ?? design.description ?? null;
	if (template === null) throw refusal('welcome:setup.noMessage');
	const styled = title !== null || footer !== null || colour !== null || content !== null || thumbnail !== null || author !== null;
	const variants: Partial<Record<GreetingVariant, string>> = {};
	for (const variant of GREETING_VARIANTS) {
		const text = option(`${variant}-message`);
		if (text !== null) variants[variant] = text;
	}
	// Welcome only: delete the welcome when its member leaves soon (raids), or after a while.
	const duration = (name: 'delete-if-left-within' | 'delete-after') => {
		const text = kind === 'welcome' ? option(name) : null;
		if (text === null) return undefined;
		const parsed = parseDelay(text);
		if (!parsed.ok) throw refusal('welcome:setup.badDuration', { option: name, reason: explain(t, parsed.reason) });
		return parsed.ms > 0 ? parsed.ms : undefined;
	};
	const deleteIfLeftWithinMs = duration('delete-if-left-within');
	const deleteAfterMs = duration('delete-after');
	const settings: Omit<GreetingSettings, 'problem'> = {
		channelId: channel.id,
		template,
		banner: normalizeBanner(option('banner') ?? design.image ?? null),
		embed: interaction.options.getBoolean('embed') ?? (styled || parsed !== null),
		dm: kind === 'welcome' ? (interaction.options.getBoolean('dm') ?? false) : false,
		...(kind === 'welcome' ? { afterScreening: interaction.options.getBoolean('after-screening') ?? true } : {}),
		title,
		footer,
		color: colour,
		content,
		timestamp: design.timestamp ?? false,
		...(thumbnail === null ? {} : { thumbnail }),
		...(author === null ? {} : { author }),
		...(design.url ? { url: design.url } : {}),
		...(design.footer?.iconUrl ? { footerIcon: design.footer.iconUrl } : {}),
		...(design.fields?.length ? { fields: design.fields } : {}),
		...(Object.keys(variants).length > 0 ? { variants } : {}),
		...(deleteIfLeftWithinMs ? { deleteIfLeftWithinMs } : {}),
		...(deleteAfterMs ? { deleteAfterMs } : {})
	};
	const refused = greetingProblem(settings);
	if (refused) throw refusal('welcome:setup.refused', { reason: explain(t, refused), help: placeholderHelp(t) });
	const blocked = channelProblem(interaction.guild, channel.id, settings);
	if (blocked) throw refusal('welcome:setup.channelUnusable', { channel: channelMention(channel.id), reason: explain(t, blocked) });

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
