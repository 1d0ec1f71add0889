// The package ships its Zod schemas as plain JavaScript (its `types` entry points at the .js file); spec.ts reads them by name.
declare module 'discord-api-spec/zod';
