// Sapphire's Prettier settings (tabs, single quotes, 150 columns, no trailing commas). `npm run format` applies them;
// `npm run lint` does not enforce them yet (see CONTRIBUTING.md: a tree-wide format is one separate commit).
import sapphirePrettierConfig from '@sapphire/prettier-config';

export default {
	...sapphirePrettierConfig,
	overrides: [...sapphirePrettierConfig.overrides, { files: ['*.json', '*.md'], options: { useTabs: false, tabWidth: 2 } }]
};
