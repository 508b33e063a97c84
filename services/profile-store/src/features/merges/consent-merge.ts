const RESTRICTIVENESS: Record<string, number> = { unknown: 0, granted: 1, denied: 2, withdrawn: 3 };

/**
 * Consent of a merged profile: per purpose the more restrictive status wins, so a merge can never
 * turn someone's refusal into a permission. (A fresh grant after the merge comes from the consent
 * service's change feed.)
 */
export function mergeConsent(
  survivor: Record<string, string>,
  absorbed: Record<string, string>,
): Record<string, string> {
  const out = { ...survivor };
  for (const [purpose, status] of Object.entries(absorbed)) {
    const current = out[purpose];
    if (current === undefined || (RESTRICTIVENESS[status] ?? 0) > (RESTRICTIVENESS[current] ?? 0))
      out[purpose] = status;
  }
  return out;
}
