import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { explainGuildLanguage, setGuildLanguage } from '../../lib/i18n/guild-language.js';
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from '../../lib/i18n/languages.js';

@ApplyOptions<Command.Options>(adminCommand())
export class LanguageCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addSubcommand((subcommand) =>
						subcommand.setName('set').addStringOption((option) =>
							option
								.setName('language')
								.setRequired(true)
								.addChoices(...LANGUAGES.map((language) => ({ name: LANGUAGE_NAMES[language], value: language })))
						)
					)
					.addSubcommand((subcommand) => subcommand.setName('reset'))
					.addSubcommand((subcommand) => subcommand.setName('show'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const { storage, config } = this.container;
		const subcommand = interaction.options.getSubcommand(true);
		// Every subcommand reads or writes the setting in storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		if (subcommand !== 'show') {
			const choice = subcommand === 'set' ? interaction.options.getString('language', true) : null;
			// Discord sends only the registered choices; anything else is a client we do not know, refused unchanged.
			if (choice !== null && !isLanguage(choice)) throw new Error(`Unknown language ${JSON.stringify(choice)}`);
			await setGuildLanguage(storage, interaction.guildId, choice);
		}
		// Answered in the language now in force, so the admin sees the change at once.
		const t = await fetchT(interaction);
		const { language, reason } = await explainGuildLanguage(storage, interaction.guild, config.defaultLanguage);
		const key = subcommand === 'set' ? 'common:languageSet' : subcommand === 'reset' ? 'common:languageReset' : 'common:languageShow';
		await interaction.editReply({ content: t(key, { language: LANGUAGE_NAMES[language], reason: t(`common:languageReason.${reason}`) }) });
	}
}
