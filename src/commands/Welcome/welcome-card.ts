import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { AttachmentBuilder } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst, refusal } from '../../lib/interaction-reply.js';
import { placeholderValues } from '../../lib/templates/placeholders.js';
import { checkBackground, checkBackgroundSize, deleteBackground, downloadImage, storeBackground } from '../../lib/welcome/card-background.js';
import { checkCardLines, drawGreetingCard, MAX_CARD_LINES, resetCardDesign, updateCardDesign } from '../../lib/welcome/card-design.js';
import { cardFileName, GENERATED_BANNER, parseColor, type GreetingKind } from '../../lib/welcome/message.js';

const COLOR_OPTIONS = { background: 'backgroundColor', accent: 'accentColor', text: 'textColor' } as const;
const LINE_OPTIONS = Array.from({ length: MAX_CARD_LINES }, (_, index) => `line${index + 1}`);

@ApplyOptions<Command.Options>(adminCommand())
export class WelcomeCardCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('background')
							.addAttachmentOption((option) => option.setName('image'))
							.addStringOption((option) => option.setName('url').setMaxLength(2000))
							.addBooleanOption((option) => option.setName('remove'))
					)
					.addSubcommand((subcommand) => {
						for (const name of Object.keys(COLOR_OPTIONS)) subcommand.addStringOption((option) => option.setName(name).setMaxLength(7));
						return subcommand.setName('colors');
					})
					.addSubcommand((subcommand) => {
						for (const name of LINE_OPTIONS) subcommand.addStringOption((option) => option.setName(name).setMaxLength(200));
						return subcommand.setName('text');
					})
					.addSubcommand((subcommand) =>
						subcommand.setName('avatar').addBooleanOption((option) => option.setName('enabled').setRequired(true))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('preview')
							.addStringOption((option) =>
								option.setName('kind').addChoices({ name: 'welcome', value: 'welcome' }, { name: 'goodbye', value: 'goodbye' })
							)
					)
					.addSubcommand((subcommand) => subcommand.setName('reset'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Every subcommand reads or writes storage, and a background is downloaded: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		const subcommand = interaction.options.getSubcommand(true);
		if (subcommand === 'preview') return this.preview(interaction, t);
		const content = await this.change(interaction, t, subcommand);
		await interaction.editReply({ content, allowedMentions: { parse: [] } });
	}

	private async change(interaction: Command.ChatInputCommandInteraction<'cached'>, t: TFunction, subcommand: string): Promise<string> {
		const { storage } = this.container;
		const { guildId } = interaction;
		switch (subcommand) {
			case 'background':
				return this.background(interaction, t);
			case 'colors': {
				const given = Object.entries(COLOR_OPTIONS).flatMap(([option, field]) => {
					const value = interaction.options.getString(option);
					return value === null ? [] : [[option, field, value] as const];
				});
				if (given.length === 0) throw refusal('welcome:card.colorsNeedOne');
				const colors: Record<string, string> = {};
				for (const [option, field, value] of given) {
					const color = parseColor(value);
					if (color === null) throw refusal('welcome:card.colorInvalid', { option, value });
					colors[field] = `#${color.toString(16).padStart(6, '0')}`;
				}
				const design = await updateCardDesign(storage, guildId, (current) => ({ ...current, ...colors }));
				return t('welcome:card.colorsSet', {
					background: design.backgroundColor ?? t('welcome:card.defaultColor'),
					accent: design.accentColor ?? t('welcome:card.defaultColor'),
					text: design.textColor ?? t('welcome:card.defaultColor')
				});
			}
			case 'text': {
				const lines = LINE_OPTIONS.map((name) => interaction.options.getString(name)?.trim() ?? '');
				// Lines keep their places (line 3 may be given without line 2); trailing empty ones are dropped.
				while (lines.length > 0 && lines.at(-1) === '') lines.pop();
				checkCardLines(lines);
				await updateCardDesign(storage, guildId, (current) => ({ ...current, lines: lines.length > 0 ? lines : undefined }));
				return lines.length > 0 ? t('welcome:card.textSet', { count: lines.length }) : t('welcome:card.textDefault');
			}
			case 'avatar': {
				const enabled = interaction.options.getBoolean('enabled', true);
				await updateCardDesign(storage, guildId, (current) => ({ ...current, avatar: enabled }));
				return t(enabled ? 'welcome:card.avatarOn' : 'welcome:card.avatarOff');
			}
			default:
				await resetCardDesign(storage, guildId);
				return t('welcome:card.reset');
		}
	}

	/** Downloads the image once (an upload from Discord's CDN, or the URL), checks it and stores it with the data. */
	private async background(interaction: Command.ChatInputCommandInteraction<'cached'>, t: TFunction): Promise<string> {
		const image = interaction.options.getAttachment('image');
		const url = interaction.options.getString('url')?.trim() || null;
		const remove = interaction.options.getBoolean('remove') === true;
		if ([image, url, remove || null].filter((given) => given !== null).length !== 1) throw refusal('welcome:card.backgroundNeedsOne');
		if (remove) {
			await deleteBackground(this.container.storage, interaction.guildId);
			return t('welcome:card.backgroundRemoved');
		}
		// Discord says an upload's size: a file too large is refused without downloading it.
		if (image) checkBackgroundSize(image.size);
		// An upload's URL is Discord's CDN; a URL an admin gives is checked against the bot's own network.
		const bytes = image
			? await downloadImage(image.url, { allowPrivate: true })
			: await downloadImage(url!, { allowPrivate: this.container.config.cardImagePrivateUrls === 'allow' });
		const info = await checkBackground(bytes);
		const stored = await storeBackground(this.container.storage, interaction.guildId, bytes, info, image ? 'upload' : 'url');
		// What is kept: a picture larger than the card was scaled down to it. Whole kilobytes, rounded up.
		return t('welcome:card.backgroundSet', {
			type: stored.type.toUpperCase(),
			width: stored.width,
			height: stored.height,
			size: Math.ceil(stored.bytes / 1024)
		});
	}

	/** The card drawn for the admin, as a member would get it, with its alt text. */
	private async preview(interaction: Command.ChatInputCommandInteraction<'cached'>, t: TFunction): Promise<void> {
		const kind = (interaction.options.getString('kind') ?? 'welcome') as GreetingKind;
		const { welcome, invites, storage } = this.container;
		const history = await invites.history(interaction.guildId, interaction.user.id);
		const values = placeholderValues(await welcome.facts(interaction.guild, interaction.user, history?.joins.at(-1) ?? null, history), t);
		const card = await drawGreetingCard(storage, t, kind, interaction.guild, interaction.member, values);
		const usesCard = (await welcome.settings(interaction.guildId))[kind]?.banner === GENERATED_BANNER;
		await interaction.editReply({
			content: usesCard ? t('welcome:card.preview') : t('welcome:card.previewUnused', { command: `/setup-${kind}` }),
			files: [new AttachmentBuilder(card.png, { name: cardFileName(kind), description: card.alt })],
			allowedMentions: { parse: [] }
		});
	}
}
