/** The e2e harness: a local Discord emulator, and a runner that starts the real bot against it. */
export { DiscordEmulator, type EmulatorOptions, type RunCommandOptions, type ClickOptions, type UserSpec } from './emulator.js';
export { InteractionHandle, type InteractionReply } from './emulator/interactions.js';
export type { GatewaySession, PrivilegedIntent } from './emulator/gateway.js';
export type { RecordedRequest, RequestMatcher } from './emulator/server.js';
export type { CreateChannelOptions, CreateGuildOptions, CreateInviteOptions, CreateRoleOptions, CreateUserOptions } from './emulator/world.js';
export type { ApiAttachment, ApiChannel, ApiMember, ApiMessage, ApiRole, ApiUser, ApplicationCommandRecord, GuildRecord } from './emulator/types.js';
export { snowflakeAt, timestampOf, shardOf } from './emulator/snowflake.js';
export { BotProcess, type BotProcessOptions, type BotExit } from './bot-runner.js';
