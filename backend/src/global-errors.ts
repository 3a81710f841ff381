import { ProblemFilter } from './common/problem.filter.js';
import { OPENAI_ERRORS } from './gateway/openai-errors.js';

/** The app's error filter: problem+json, or OpenAI's error shape under /v1/. Direct routes answer errors through it too. */
export const GLOBAL_ERRORS = new ProblemFilter([OPENAI_ERRORS]);
