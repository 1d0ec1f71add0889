import { preLogin, SapphireClient } from '@sapphire/framework';
import { CorePlugin } from './index.js';

SapphireClient.plugins.registerPreLoginHook(CorePlugin[preLogin], 'Core-PreLogin');
