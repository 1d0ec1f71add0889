import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { addGreetingOptions, runGreetingSetup } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand())
export class SetupWelcomeCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				addGreetingOptions(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS), 'welcome')
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		await runGreetingSetup(interaction, 'welcome');
	}
}
