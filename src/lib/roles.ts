import { PermissionFlagsBits, type Guild, type Role } from 'discord.js';

/**
 * Why the bot may not give this role, or null. Features that give roles (auto-roles, invite rank roles) check at
 * setup, so a bad choice is refused with its reason instead of failing at every join later.
 */
export function roleProblem(role: Pick<Role, 'id' | 'name' | 'managed' | 'position'>, guild: Guild): string | null {
	if (role.id === guild.id) return 'Every member has @everyone already; pick another role.';
	if (role.managed) return `${role.name} is managed by an integration (a bot or a subscription); Discord does not let bots give it.`;
	const { me } = guild.members;
	if (me && !me.permissions.has(PermissionFlagsBits.ManageRoles)) return 'The bot needs the Manage Roles permission to give roles; grant it first.';
	const botHighest = me?.roles.highest;
	if (botHighest && role.position >= botHighest.position) {
		return `${role.name} is not below the bot's highest role (${botHighest.name}); move the bot's role above it in Server Settings → Roles first.`;
	}
	return null;
}
