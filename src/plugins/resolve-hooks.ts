/**
 * Module resolution hooks (node:module register), installed only when PLUGINS names a plugin: `supreme-bot/plugin`
 * imported from any plugin resolves to this bot's own plugin API, wherever the plugin is installed. Without it a
 * plugin outside the bot's folder could not find the package (the bot is not in its own node_modules).
 */
import type { InitializeHook, ResolveHook } from 'node:module';

/** The specifier plugin authors import; the package.json "exports" entry of the same name serves type checkers. */
export const PLUGIN_API_SPECIFIER = 'supreme-bot/plugin';

let apiUrl = '';

export const initialize: InitializeHook<{ apiUrl: string }> = (data) => {
	apiUrl = data.apiUrl;
};

export const resolve: ResolveHook = (specifier, context, next) => {
	if (specifier === PLUGIN_API_SPECIFIER) return { url: apiUrl, format: 'module', shortCircuit: true };
	return next(specifier, context);
};
