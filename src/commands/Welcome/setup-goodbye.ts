import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { addGreetingOptions, runGreetingSetup } from './_shared.js';

@ApplyOptions<Command.Options>(adminCommand('Set up the goodbye message for members who leave'))
export class SetupGoodbyeCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			addGreetingOptions(
				inGuildsOnly(builder).setName(this.name).setDescription(this.description).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS),
				'goodbye'
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		await runGreetingSetup(interaction, 'goodbye');
	}
}
