import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import type { GreetingKind } from '../../lib/welcome/message.js';
import { addGreetingKindOption } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand())
export class WelcomeDisableCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				addGreetingKindOption(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS), true)
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const choice = interaction.options.getString('kind') ?? 'welcome';
		const kinds: GreetingKind[] = choice === 'both' ? ['welcome', 'goodbye'] : [choice as GreetingKind];
		const lines: string[] = [];
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		for (const kind of kinds) {
			const wasOn = await this.container.welcome.disable(interaction.guildId, kind);
			lines.push(wasOn ? t(`welcome:disable.now.${kind}`) : t(`welcome:disable.already.${kind}`));
		}
		await interaction.editReply({ content: lines.join('\n') });
	}
}
