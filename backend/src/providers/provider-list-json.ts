import type { CircuitStateName } from '../upstream/provider-policy.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import { compareNames } from '../common/collation.js';
import type { Provider } from './provider.entity.js';
import { toProviderResponse } from './provider.mapper.js';

/** One provider's response as JSON text, cut where its circuit state goes (the only part that changes between loads). */
interface ListedProvider {
  provider: Provider;
  beforeState: string;
  afterState: string;
}

/** An answer as sent, with the circuit states it was built with. */
interface Answer {
  states: CircuitStateName[];
  bytes: Buffer;
}

const STATE_KEY = '"circuit_state":';
/** Filters answered per snapshot (kind × status, and searches); cleared past this. */
const MAX_KEPT_ANSWERS = 64;

/**
 * The provider list as JSON. Each provider's response is serialised once per registry snapshot, in
 * name order; a request filters, then joins the texts with the circuit states of the moment. The
 * answer's UTF-8 bytes are kept per filter until the snapshot or a listed provider's circuit state
 * changes: encoding the 94 KB of all 200 for the socket was a fifth of a request's CPU. (As
 * objects, all 200 were 0.7 ms of CPU per request: sort, mapping, 400 dates, JSON.stringify.)
 */
export class ProviderListJson {
  private built: { snapshot: RegistrySnapshot; providers: ListedProvider[]; answers: Map<string, Answer> } | undefined;

  /** `filter` names what `include` keeps: answers are kept under it. */
  render(
    snapshot: RegistrySnapshot,
    filter: string,
    include: (p: Provider) => boolean,
    circuitState: (id: string) => CircuitStateName,
  ): Buffer {
    const { providers, answers } = this.listed(snapshot);
    const included: ListedProvider[] = [];
    const states: CircuitStateName[] = [];
    for (const listed of providers)
      if (include(listed.provider)) {
        included.push(listed);
        states.push(circuitState(listed.provider.id));
      }
    const kept = answers.get(filter);
    if (kept && kept.states.length === states.length && kept.states.every((state, i) => state === states[i])) return kept.bytes;
    const text = included.map(({ beforeState, afterState }, i) => `${beforeState}"${states[i]}"${afterState}`).join(',');
    const bytes = Buffer.from(`[${text}]`);
    if (answers.size >= MAX_KEPT_ANSWERS) answers.clear();
    answers.set(filter, { states, bytes });
    return bytes;
  }

  private listed(snapshot: RegistrySnapshot): NonNullable<ProviderListJson['built']> {
    if (this.built?.snapshot !== snapshot) {
      const providers = [...snapshot.providers.values()]
        .sort((a, b) => compareNames(a.name, b.name))
        .map((provider) => {
          const json = JSON.stringify(toProviderResponse(provider, snapshot.modelCountByProvider.get(provider.id) ?? 0, 'closed'));
          // The last one: a provider's own config may hold such a key too, but it comes earlier.
          const at = json.lastIndexOf(`${STATE_KEY}"closed"`) + STATE_KEY.length;
          return { provider, beforeState: json.slice(0, at), afterState: json.slice(at + '"closed"'.length) };
        });
      this.built = { snapshot, providers, answers: new Map() };
    }
    return this.built;
  }
}
