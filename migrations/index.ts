import { Platform1764086400000 } from './1764086400000-platform.js';

/** Every migration in order; listed explicitly so the app, the CLI and Jest load the same set. */
export const migrations = [Platform1764086400000];
