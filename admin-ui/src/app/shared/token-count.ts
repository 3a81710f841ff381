const KI = 1024;
const MI = KI * KI;

/**
 * A token count as people name context windows: a binary size by its binary unit (32,768 → "32K",
 * 131,072 → "128K", as model cards write them), a round decimal one and anything else in decimal
 * to one place (128,000 → "128K", 200,000 → "200K", 1,500 → "1.5K").
 */
export function compactTokens(tokens: number): string {
  const binary = (unit: number, decimal: number) => tokens % unit === 0 && tokens % decimal !== 0;
  if (tokens >= MI && binary(MI, 1_000_000)) return `${tokens / MI}M`;
  if (tokens >= 1_000_000) return `${+(tokens / 1_000_000).toFixed(1)}M`;
  if (tokens >= KI && binary(KI, 1_000)) return `${tokens / KI}K`;
  if (tokens >= 1_000) return `${+(tokens / 1_000).toFixed(1)}K`;
  return String(tokens);
}
