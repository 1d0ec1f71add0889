// Sapphire's Prettier settings (tabs, single quotes, 150 columns, no trailing commas). `npm run format` applies them;
// `npm run lint` enforces them for TypeScript and `npm run format:check` (in .ci/run) for the rest.
import sapphirePrettierConfig from '@sapphire/prettier-config';

export default {
	...sapphirePrettierConfig,
	overrides: [...sapphirePrettierConfig.overrides, { files: ['*.json', '*.md'], options: { useTabs: false, tabWidth: 2 } }]
};
