import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';
import { useNotes, useTranslator } from '../../notes.js';
import { describeNote } from '../commands/note.js';

/** A member with notes joined again: show the notes to the moderators (their channel), or log them. */
@ApplyOptions<Listener.Options>({ event: Events.GuildMemberAdd })
export class NoteMemberRejoinListener extends Listener<typeof Events.GuildMemberAdd> {
	public override async run(member: GuildMember): Promise<void> {
		const notes = useNotes();
		const list = await notes.list(member.guild.id, member.id);
		if (list.length === 0) return;
		const t = await useTranslator()(member.guild);
		const text = [
			t('member-notes:rejoined', { member: `<@${member.id}>`, tag: member.user.tag, count: list.length }),
			...list.map((note) => describeNote(t, note))
		].join('\n');
		const channelId = await notes.channel(member.guild.id);
		const channel = channelId ? member.guild.channels.cache.get(channelId) : undefined;
		if (channel?.isTextBased()) {
			try {
				await channel.send({ content: text.slice(0, 2000), allowedMentions: { parse: [] } });
				return;
			} catch (error) {
				this.container.logger.warn(`member-notes: cannot post in <#${channel.id}> of ${member.guild.id}: ${(error as Error).message}`);
			}
		}
		this.container.logger.info(
			`member-notes: ${member.user.tag} (${member.id}) rejoined ${member.guild.name} with notes: ${list.map((note) => `#${note.id} ${note.text}`).join(' | ')}`
		);
	}
}
