/**
 * Jest runs each test file in its own VM realm, but `fetch` comes from Node's main realm: the
 * DOMException it throws on abort/timeout is not `instanceof Error` inside the test. SDKs that
 * classify failures with `instanceof Error` (openai, @anthropic-ai/sdk, @google/genai) then report
 * a timeout as a generic connection error, which never happens outside Jest. Handing the SDK this
 * fetch re-throws such failures as errors of the test's realm, keeping name and cause.
 */
export const realmSafeFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (error instanceof Error) throw error;
    const foreign = error as { name?: string; message?: string };
    const local = new Error(foreign.message ?? String(error), { cause: error });
    local.name = foreign.name ?? 'Error';
    throw local;
  }
};
