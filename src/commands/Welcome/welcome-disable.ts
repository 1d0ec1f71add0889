import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { GREETING_LABEL, type GreetingKind } from '../../lib/welcome/message.js';
import { addGreetingKindOption } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand('Turn welcome (or goodbye) messages off'))
export class WelcomeDisableCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			addGreetingKindOption(
				inGuildsOnly(builder).setName(this.name).setDescription(this.description).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS),
				'Which messages',
				true
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const choice = interaction.options.getString('kind') ?? 'welcome';
		const kinds: GreetingKind[] = choice === 'both' ? ['welcome', 'goodbye'] : [choice as GreetingKind];
		const lines: string[] = [];
		await deferFirst(interaction, { ephemeral: true });
		for (const kind of kinds) {
			const wasOn = await this.container.welcome.disable(interaction.guildId, kind);
			lines.push(`${GREETING_LABEL[kind]} messages ${wasOn ? 'are now' : 'were already'} off.`);
		}
		await interaction.editReply({ content: lines.join('\n') });
	}
}
